"""The checked text as words (``Sentence``, with the helpers the rules use over it) and the
edit a rule proposes (``RuleEdit``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from .words import CLAUSE_WORDS

# --- sentences -------------------------------------------------------------------------------

WORD = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)*")
BOUNDARY = re.compile(r"[.!?;:,\"()]")


@dataclass(frozen=True, slots=True)
class RuleEdit:
    start: int  # character span in the checked text
    end: int
    original: str
    replacement: str
    category: str  # from the taxonomy of shared/grammar_eval/README.md
    explanation: str
    rule: str


class Sentence:
    """The words of the checked text (``low``: lower case, straight apostrophes) and helpers over them."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.matches = list(WORD.finditer(text))
        self.low = [m.group().lower().replace("’", "'") for m in self.matches]
        self.n = len(self.matches)
        self.question = text.rstrip().endswith("?")

    def word(self, i: int) -> str:
        """The lower-case word at ``i`` ("" out of range)."""
        return self.low[i] if 0 <= i < self.n else ""

    def original(self, i: int) -> str:
        return self.matches[i].group()

    def span_text(self, i: int, j: int) -> str:
        return self.text[self.matches[i].start() : self.matches[j].end()]

    def boundary_before(self, i: int) -> bool:
        """Punctuation (or the start or end of the text) comes before word ``i``."""
        if i <= 0 or i >= self.n:
            return True
        return bool(BOUNDARY.search(self.text[self.matches[i - 1].end() : self.matches[i].start()]))

    def boundary_after(self, i: int) -> bool:
        return self.boundary_before(i + 1)

    def joined(self, i: int, j: int) -> bool:
        """Words i..j exist and follow each other with no punctuation between them."""
        return 0 <= i <= j < self.n and not any(self.boundary_before(k) for k in range(i + 1, j + 1))

    def is_(self, i: int, *phrase: str) -> bool:
        """The words from ``i`` are ``phrase``."""
        return self.low[max(i, 0) : i + len(phrase)] == list(phrase) and i >= 0 and self.joined(i, i + len(phrase) - 1)

    def clause_start(self, i: int) -> bool:
        return self.boundary_before(i) or self.word(i - 1) in CLAUSE_WORDS

    def edit(self, i: int, j: int, replacement: str, category: str, why: str, rule: str) -> RuleEdit:
        """An edit of words i..j (inclusive); the replacement keeps the original's leading capital."""
        start, end = self.matches[i].start(), self.matches[j].end()
        original = self.text[start:end]
        if original[:1].isupper():
            replacement = replacement[:1].upper() + replacement[1:]
        elif not (replacement == "I" or replacement.startswith(("I ", "I'"))):
            replacement = replacement[:1].lower() + replacement[1:]
        return RuleEdit(start, end, original, replacement, category, why, rule)


Rule = Callable[[Sentence], Iterator[RuleEdit]]
