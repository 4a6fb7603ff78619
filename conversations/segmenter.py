"""Incremental sentence segmentation of a streamed language-model reply.

Each finished sentence goes to text-to-speech while the model keeps writing, so a
boundary must be decided as soon as possible but never on incomplete text: a delta
may end in the middle of "1.50", "...", "Mr." or a closing quote. A boundary is only
decided once the text after it has arrived; the result is therefore the same however
the reply was chunked.
"""

_TERMINATORS = frozenset(".!?…")
# Quotes and brackets that close a sentence right after its terminator, in the
# English, Spanish, French and German conventions (German closes with “ and «).
_CLOSERS = frozenset("\"'”’»«“‘›‹)]}")
# French puts a space before a closing guillemet: « Bonjour ! »
_SPACED_CLOSERS = frozenset("»")
_OPENERS = "\"'“‘„«»‹›([{¿¡"
_FIRST_CHUNK_BREAKS = frozenset(",;:")

# Words after which a period never ends a sentence (compared lowercased). Words
# that may end one (etc., usw.) are not listed: like any period, theirs ends a
# sentence only when the next word does not start in lowercase.
_ABBREVIATIONS = frozenset(
    "mr. mrs. ms. dr. prof. st. jr. vs. approx. e.g. i.e."  # English
    " sr. sra. srta. dra. ud. uds. p.ej."  # Spanish
    " m. mme. mlle. mm."  # French
    " nr. hr. z.b. d.h. bzw. ca.".split()  # German
)


class SentenceSegmenter:
    """Cuts one reply into sentences; make one per reply.

    The first chunk of a reply may also end at a comma, semicolon or colon once it
    holds at least `first_chunk_min_chars` characters, so that the first audio does
    not wait for the end of a long first sentence.
    """

    def __init__(self, *, first_chunk_min_chars: int = 40) -> None:
        self._first_chunk_min_chars = first_chunk_min_chars
        self._buffer = ""
        # Every position before this one was already scanned and is not a boundary.
        self._scan_from = 0
        self._emitted_any = False

    def feed(self, delta: str) -> list[str]:
        """Add a text delta; return the sentences it completed, in order."""
        self._buffer += delta
        sentences = []
        while (end := self._next_boundary()) is not None:
            sentences.append(self._buffer[:end].strip())
            self._buffer = self._buffer[end:]
            self._scan_from = 0
            self._emitted_any = True
        return sentences

    def flush(self) -> str | None:
        """End the reply: return what is left, if it holds anything speakable."""
        rest = self._buffer.strip()
        self._buffer = ""
        self._scan_from = 0
        self._emitted_any = False
        return rest if _is_speakable(rest) else None

    def _next_boundary(self) -> int | None:
        """The end of the next sentence in the buffer, or None until more text arrives."""
        text = self._buffer
        i = self._scan_from
        while i < len(text):
            end, resume = _boundary_at(
                text=text, i=i, first_chunk_min_chars=None if self._emitted_any else self._first_chunk_min_chars
            )
            if resume is None:
                self._scan_from = i
                return None
            # A boundary before anything speakable ("..." at the start) is not cut:
            # that text joins the next sentence.
            if end is not None and _is_speakable(text[:end]):
                return end
            i = resume
        self._scan_from = len(text)
        return None


def _boundary_at(*, text: str, i: int, first_chunk_min_chars: int | None) -> tuple[int | None, int | None]:
    """Decide whether a sentence ends at the character at `i`.

    Returns (end of the sentence or None, where to continue scanning), with None
    as the second item when the text after `i` has not arrived yet.
    """
    char = text[i]
    if char == "\n":
        return i, i + 1
    if char in _FIRST_CHUNK_BREAKS:
        if first_chunk_min_chars is None or len(text[: i + 1].strip()) < first_chunk_min_chars:
            return None, i + 1
        if i + 1 == len(text):
            return None, None
        return (i + 1 if text[i + 1].isspace() else None), i + 1
    if char not in _TERMINATORS:
        return None, i + 1

    run_end = i
    while run_end < len(text) and text[run_end] in _TERMINATORS:
        run_end += 1
    end = _closers_end(text=text, start=run_end)
    if end is None:
        return None, None
    if not text[end].isspace():
        # "1.50", the first period of "z.B.", "Hello.World": not the end of a sentence.
        return None, run_end
    if text[i:run_end] == "." and _is_abbreviation(_word_before(text=text, end=i)):
        return None, end
    next_start = end
    while next_start < len(text) and text[next_start].isspace():
        next_start += 1
    if "\n" in text[end:next_start]:
        return end, end
    if next_start == len(text):
        return None, None
    # A terminator followed by a lowercase word is inside a sentence: "I was...
    # thinking", "apples, pears, etc. and more", "« Bonjour ! » dit-il".
    return (None if text[next_start].islower() else end), end


def sentence_is_complete(text: str) -> bool:
    """Whether a chunk this segmenter cut ends a sentence (the first chunk may end at a comma)."""
    return text.rstrip().rstrip("".join(_CLOSERS) + " \u00a0").endswith(tuple(_TERMINATORS))


def _closers_end(*, text: str, start: int) -> int | None:
    """The position after the closing quotes/brackets that follow a terminator run,
    or None if it cannot be known yet."""
    end = start
    while True:
        if end == len(text):
            return None
        if text[end] in _CLOSERS:
            end += 1
            continue
        spaces_end = end
        while spaces_end < len(text) and text[spaces_end] in " \u00a0\u202f":
            spaces_end += 1
        if spaces_end == end:
            return end
        if spaces_end == len(text):
            return None
        if text[spaces_end] not in _SPACED_CLOSERS:
            return end
        end = spaces_end + 1


def _word_before(*, text: str, end: int) -> str:
    start = end
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    return text[start:end].lstrip(_OPENERS)


def _is_abbreviation(word: str) -> bool:
    # A single capital is an initial ("J. R. R. Tolkien") or French "M." (Monsieur).
    return f"{word.lower()}." in _ABBREVIATIONS or (len(word) == 1 and word.isupper())


def _is_speakable(text: str) -> bool:
    return any(char.isalnum() for char in text)
