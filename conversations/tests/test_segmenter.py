import pytest

from conversations.segmenter import SentenceSegmenter, sentence_is_complete


def segment(*, deltas: list[str], first_chunk_min_chars: int = 1000) -> list[str]:
    segmenter = SentenceSegmenter(first_chunk_min_chars=first_chunk_min_chars)
    sentences = [sentence for delta in deltas for sentence in segmenter.feed(delta)]
    rest = segmenter.flush()
    return sentences + ([rest] if rest is not None else [])


CASES = [
    # English
    ("Hello there! How are you today?", ["Hello there!", "How are you today?"]),
    ("Mr. Smith is here. Dr. Jones is not.", ["Mr. Smith is here.", "Dr. Jones is not."]),
    ("Mrs. Brown lives on Baker St. near the park.", ["Mrs. Brown lives on Baker St. near the park."]),
    (
        "Fruit, e.g. apples, is cheap. Take one, i.e. this one.",
        ["Fruit, e.g. apples, is cheap.", "Take one, i.e. this one."],
    ),
    ("It costs 1.50 euros. Want one?", ["It costs 1.50 euros.", "Want one?"]),
    ("Apples, pears, etc. and more. Then we go.", ["Apples, pears, etc. and more.", "Then we go."]),
    ("I sell apples, pears, etc. Do you want some?", ["I sell apples, pears, etc.", "Do you want some?"]),
    ("Well... I think so. Hmm… Let me see.", ["Well...", "I think so.", "Hmm…", "Let me see."]),
    ("I was... thinking about it.", ["I was... thinking about it."]),
    ('He said "Stop." Then he left.', ['He said "Stop."', "Then he left."]),
    ("(That is the rule.) We follow it.", ["(That is the rule.)", "We follow it."]),
    ("Really?! Yes!!! Okay.", ["Really?!", "Yes!!!", "Okay."]),
    ('"Stop!" he said. "Why?" Ask her.', ['"Stop!" he said.', '"Why?"', "Ask her."]),
    ("J. R. R. Tolkien wrote it. Read it.", ["J. R. R. Tolkien wrote it.", "Read it."]),
    ("First line\nSecond line", ["First line", "Second line"]),
    ("... Anyway. Bye", ["... Anyway.", "Bye"]),
    ("Wait...", ["Wait..."]),
    ("Hi! :)", ["Hi!"]),
    # Spanish
    ("¡Hola! ¿Cómo estás? Muy bien.", ["¡Hola!", "¿Cómo estás?", "Muy bien."]),
    ("Buenos días. ¿Qué desea?", ["Buenos días.", "¿Qué desea?"]),
    ("La Sra. García cobra 3,50 euros. ¡Qué caro!", ["La Sra. García cobra 3,50 euros.", "¡Qué caro!"]),
    ("El Sr. López llega hoy.", ["El Sr. López llega hoy."]),
    # French
    ("Bonjour ! Comment allez-vous ? Très bien.", ["Bonjour !", "Comment allez-vous ?", "Très bien."]),
    ("M. Dupont et Mme Martin arrivent. Entrez.", ["M. Dupont et Mme Martin arrivent.", "Entrez."]),
    ("« Bonjour ! » dit-il. Puis il part.", ["« Bonjour ! » dit-il.", "Puis il part."]),
    ("Ça coûte 2,50 €. Merci.", ["Ça coûte 2,50 €.", "Merci."]),
    # German
    ("Guten Tag! Was möchten Sie?", ["Guten Tag!", "Was möchten Sie?"]),
    ("Ich mag Obst, z.B. Äpfel, usw. und mehr. Danke.", ["Ich mag Obst, z.B. Äpfel, usw. und mehr.", "Danke."]),
    ("Das ist Haus Nr. 5 in der Straße. Komm rein.", ["Das ist Haus Nr. 5 in der Straße.", "Komm rein."]),
    ("Er sagte: „Hallo!“ Dann ging er.", ["Er sagte: „Hallo!“", "Dann ging er."]),
    ("Das kostet 1.50 Euro. Gut.", ["Das kostet 1.50 Euro.", "Gut."]),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_segments_whole_text(text: str, expected: list[str]) -> None:
    assert segment(deltas=[text]) == expected


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_segments_character_by_character(text: str, expected: list[str]) -> None:
    assert segment(deltas=list(text)) == expected


SPLIT_INPUTS = [
    "Mr. Smith paid 1.50 euros... Then he left! Did he?",
    "¡Hola, Sra. García! ¿Cuánto cuesta? Son 3,50 euros.",
    "« Bonjour ! » dit M. Dupont, qui attend depuis longtemps, très longtemps. Entrez.",
    "Ich möchte, z.B. Brot, Käse usw. Das ist alles… Danke.",
]


@pytest.mark.parametrize("text", SPLIT_INPUTS)
@pytest.mark.parametrize("first_chunk_min_chars", [20, 1000])
def test_result_does_not_depend_on_chunking(text: str, first_chunk_min_chars: int) -> None:
    whole = segment(deltas=[text], first_chunk_min_chars=first_chunk_min_chars)
    assert len(whole) > 1
    for first_split in range(len(text) + 1):
        for second_split in range(first_split, len(text) + 1, 7):
            deltas = [text[:first_split], text[first_split:second_split], text[second_split:]]
            assert segment(deltas=deltas, first_chunk_min_chars=first_chunk_min_chars) == whole, deltas


def test_sentence_is_only_cut_when_the_next_character_arrives() -> None:
    segmenter = SentenceSegmenter()
    assert segmenter.feed("It costs 1.") == []
    assert segmenter.feed("50. Do you") == ["It costs 1.50."]
    assert segmenter.feed(" want it? ") == []
    assert segmenter.feed("Yes") == ["Do you want it?"]
    assert segmenter.flush() == "Yes"


def test_terminator_waits_for_the_next_word() -> None:
    segmenter = SentenceSegmenter()
    assert segmenter.feed("I was... ") == []
    assert segmenter.feed("thinking. ") == []
    assert segmenter.feed("OK") == ["I was... thinking."]
    assert segmenter.flush() == "OK"


def test_first_chunk_may_end_at_a_comma_when_long_enough() -> None:
    text = "Well, if you are looking for fresh apples today, I have some; they are sweet, and cheap. Yes, truly."
    assert segment(deltas=[text], first_chunk_min_chars=40) == [
        "Well, if you are looking for fresh apples today,",
        "I have some; they are sweet, and cheap.",
        "Yes, truly.",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Here is what I sell in my shop: apples. Bye.", ["Here is what I sell in my shop: apples.", "Bye."]),
        (
            "Here is what I can offer you today: apples. Bye.",
            ["Here is what I can offer you today:", "apples.", "Bye."],
        ),
        (
            "The price of the big basket is 3,50 or 4,50 euros. Bye.",
            ["The price of the big basket is 3,50 or 4,50 euros.", "Bye."],
        ),
    ],
)
def test_first_chunk_break_needs_length_and_following_whitespace(text: str, expected: list[str]) -> None:
    assert segment(deltas=[text], first_chunk_min_chars=35) == expected


def test_flush_starts_a_new_reply() -> None:
    segmenter = SentenceSegmenter(first_chunk_min_chars=10)
    assert segmenter.feed("Good morning, friend") == ["Good morning,"]
    assert segmenter.flush() == "friend"
    assert segmenter.feed("Good morning, friend") == ["Good morning,"]
    assert segmenter.flush() == "friend"


@pytest.mark.parametrize(
    ("chunk", "complete"),
    [
        ("Good morning!", True),
        ("« Bonjour ! »", True),
        ('He said "yes."', True),
        ("¿Qué quieres?", True),
        ("Well, if you want fresh bread,", False),
        ("I think", False),
    ],
)
def test_sentence_is_complete(chunk, complete):
    assert sentence_is_complete(chunk) is complete
