"""Property-based tests (Hypothesis) of the client message parser and the sentence segmenter:
any text a client or a language model may send, not only the cases someone thought of.

Sized to run in a few seconds on a slow two-core machine (VIRTULINGO_FUZZ_SCALE multiplies it);
`deadline=None` because such a machine, shared with other work, can stall any one example."""

import json

from hypothesis import example, given, settings
from hypothesis import strategies as st

from conversations.messages import (
    TEXT_FRAME_MAX_BYTES,
    TYPED_TEXT_MAX_CHARS,
    EndUtterance,
    Interrupt,
    Ping,
    ProtocolError,
    SessionConfig,
    TypedText,
    client_message_parse,
)
from conversations.segmenter import SentenceSegmenter
from conversations.tests.helpers import FUZZ_SCALE, documented_error_codes

MESSAGE_TYPES = (EndUtterance, TypedText, Interrupt, Ping, SessionConfig)
TYPE_NAMES = ["end_utterance", "text", "interrupt", "ping", "config"]
CONFIG_KEYS = ["input_sample_rate", "output", "events", "language", "end_of_turn_silence_ms"]


PARSER_ERROR_CODES = {"bad_json", "bad_message", "unknown_message", "bad_config", "message_too_large"}

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
    | st.sampled_from(TYPE_NAMES + CONFIG_KEYS + ["wav", "pcm16", "en", "fr", "metrics"])
)
json_values = st.recursive(
    json_scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
)
# Objects shaped like client messages: a known (or near) type, known keys with any values, extra keys.
message_like = st.fixed_dictionaries(
    {"type": st.sampled_from(TYPE_NAMES) | json_scalars},
    optional={
        **{key: json_values for key in CONFIG_KEYS},
        "text": st.text(max_size=TYPED_TEXT_MAX_CHARS + 5) | json_values,
        "enabled": json_values,
    },
).map(lambda message: json.dumps(message, ensure_ascii=False))
# Numbers that JSON allows and Python's int() refuses (over 4300 digits), and floats out of range.
huge_numbers = st.builds(
    lambda key, kind, digits: f'{{"type":"{kind}","{key}":{digits}}}',
    st.sampled_from(CONFIG_KEYS + ["text"]),
    st.sampled_from(TYPE_NAMES),
    st.integers(4301, 6000).map(lambda n: "9" * n) | st.just("1e999") | st.just("-1e999"),
)
frames = (
    st.text()
    | json_values.map(json.dumps)
    | message_like
    | huge_numbers
    | st.binary(max_size=200).map(lambda raw: raw.decode("utf-8", errors="replace"))
)


def assert_parses_or_is_refused(text_data: str) -> None:
    try:
        message = client_message_parse(text_data=text_data)
    except ProtocolError as error:
        assert error.code in PARSER_ERROR_CODES, error.code
        assert error.message
        # A refused `text` message (and only it) still owes the client its turn_complete.
        if error.asks_for_turn:
            assert error.code in {"bad_message", "message_too_large"}
        return
    assert isinstance(message, MESSAGE_TYPES)
    if isinstance(message, TypedText):
        assert message.text == message.text.strip() and len(message.text) <= TYPED_TEXT_MAX_CHARS


def test_every_parser_error_code_is_documented():
    assert PARSER_ERROR_CODES <= documented_error_codes()


def test_a_number_too_long_for_python_is_bad_json():
    """Found by the property below: valid JSON, but json.loads raised ValueError (Python reads
    integers of at most 4300 digits), which escaped the consumer and closed the socket."""
    try:
        client_message_parse(text_data='{"type":"config","input_sample_rate":' + "9" * 5000 + "}")
    except ProtocolError as error:
        assert error.code == "bad_json"
    else:
        raise AssertionError("parsed")


@settings(max_examples=400 * FUZZ_SCALE, deadline=None)
@given(frames)
@example('{"type":"config","input_sample_rate":' + "1" * 5000 + "}")
@example("[" * 100_000)
@example('{"type":"text","text":' + "1" * 5000 + "}")
def test_any_text_frame_is_a_typed_message_or_a_protocol_error(text_data: str):
    assert_parses_or_is_refused(text_data)


@settings(max_examples=50 * FUZZ_SCALE, deadline=None)
@given(st.text(min_size=1, max_size=20))
def test_a_frame_over_the_limit_is_message_too_large(filler: str):
    text_data = filler * (TEXT_FRAME_MAX_BYTES // len(filler.encode("utf-8")) + 1)
    try:
        client_message_parse(text_data=text_data)
    except ProtocolError as error:
        assert error.code == "message_too_large"
    else:
        raise AssertionError("a frame over the limit was parsed")


# --- the sentence segmenter ---------------------------------------------------------------

# Text rich in what the segmenter decides on: terminators, closers, openers, abbreviations,
# digits, the first chunk's commas, newlines and the spaces French puts before « ».
segmenter_text = st.lists(
    st.sampled_from(
        [
            "a",
            "Z",
            "é",
            "ß",
            "1",
            "5",
            ".",
            "!",
            "?",
            "…",
            ",",
            ";",
            ":",
            " ",
            " ",
            "\n",
            "\u00a0",
            "\u202f",
            '"',
            "'",
            "”",
            "’",
            "»",
            "«",
            "“",
            "‘",
            "„",
            "(",
            ")",
            "[",
            "¿",
            "¡",
            "Mr.",
            "Dr.",
            "e.g.",
            "z.B.",
            "etc.",
            "M.",
            "Bonjour",
            "hello",
            "Hello",
            " und",
            "1.50",
            "...",
        ]  # fmt: skip
    )
    | st.characters(),
    max_size=60,
).map("".join)


def segment(deltas: list[str], *, first_chunk_min_chars: int) -> list[str]:
    segmenter = SentenceSegmenter(first_chunk_min_chars=first_chunk_min_chars)
    sentences = [sentence for delta in deltas for sentence in segmenter.feed(delta)]
    rest = segmenter.flush()
    return sentences + ([rest] if rest is not None else [])


@st.composite
def chunked(draw, text_strategy=segmenter_text):
    text = draw(text_strategy)
    cuts = sorted(draw(st.sets(st.integers(0, len(text)), max_size=max(len(text) // 2, 1))))
    bounds = [0, *cuts, len(text)]
    return text, [text[start:end] for start, end in zip(bounds, bounds[1:], strict=False)]


def without_whitespace(text: str) -> str:
    return "".join(text.split())


@settings(max_examples=600 * FUZZ_SCALE, deadline=None)
@given(chunked(), st.sampled_from([1, 10, 40, 1000]))
@example(("Hi! :)", ["Hi", "! :", ")"]), 40)
@example(("« Bonjour ! » dit-il. Puis.", ["« Bonjour !", " » dit", "-il. Puis."]), 1000)
def test_the_sentences_give_back_the_text_however_it_was_chunked(text_and_chunks, first_chunk_min_chars):
    text, chunks = text_and_chunks
    sentences = segment(chunks, first_chunk_min_chars=first_chunk_min_chars)

    assert sentences == segment([text], first_chunk_min_chars=first_chunk_min_chars)
    joined = without_whitespace("".join(sentences))
    whole = without_whitespace(text)
    # Everything is spoken, in order; only an unspeakable tail (":)", "...") may be left out.
    assert whole.startswith(joined)
    assert not any(char.isalnum() for char in whole[len(joined) :])
    for sentence in sentences:
        assert sentence == sentence.strip() and any(char.isalnum() for char in sentence)
