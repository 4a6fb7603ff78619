"""Rules about usage: prepositions, a missing or extra "to", age with "have", verb-noun
collocations ("make a photo", "do a mistake").
"""

from __future__ import annotations

from collections.abc import Iterator

from .nouns import noun_phrase_ends
from .sentence import RuleEdit, Sentence
from .words import (
    DAYS,
    DETERMINERS,
    DO_NEGATIVE,
    MODALS,
    NUMBER_WORDS,
    PERSON_NOUNS,
    POSSESSIVES,
    SUBJECTS,
    is_base,
    words,
)

# --- rules: prepositions and fixed phrases ---------------------------------------------------

# (words before, wrong preposition, right preposition, why)
PREPOSITION_FIXES = [
    (words("depend depends depended depending dependent"), words("of from"), "on", 'We say "depend on".'),
    (words("afraid scared"), words("from"), "of", 'We say "afraid of".'),
]


def prepositions(s: Sentence) -> Iterator[RuleEdit]:
    """ "depend of" -> "on", "in Sunday" -> "on Sunday", "married with him" -> "married to him"."""
    for i in range(s.n - 1):
        w, nxt = s.word(i), s.word(i + 1)
        if not s.joined(i, i + 1):
            continue
        for before, wrong, right, why in PREPOSITION_FIXES:
            if w in before and nxt in wrong:
                yield s.edit(i + 1, i + 1, right, "preposition", why, "prepositions")
        if w in {"in", "at"} and (nxt in DAYS or nxt[:-1] in DAYS and nxt.endswith("s")):
            yield s.edit(i, i, "on", "preposition", 'Days take "on": "on Sunday".', "prepositions")
        if (
            w == "married"
            and nxt == "with"
            and (
                s.word(i + 2) == "him"
                or s.word(i + 2) == "her"
                and (s.boundary_after(i + 2) or s.word(i + 3) in words("for since and now"))
                or s.word(i + 2) == "a"
                and s.word(i + 3) in words("man woman guy")
            )
        ):  # (not "married with two children", "married with her parents' blessing")
            yield s.edit(i + 1, i + 1, "to", "preposition", 'We say "married to someone".', "prepositions")


# Verbs that are (nearly) never nouns, so "would like buy" can only mean "would like to buy".
INFINITIVES = words(
    "go buy eat see know find get make take come leave stay speak say tell give learn become bring pay"
    " meet sit live write listen understand ask open send sell finish start wait visit try"
)


def missing_to(s: Sentence) -> Iterator[RuleEdit]:
    """ "explain me" -> "explain to me", "listen music" -> "listen to music", "would like buy" -> "to buy"."""
    for i in range(s.n - 1):
        w, nxt = s.word(i), s.word(i + 1)
        if not s.joined(i, i + 1):
            continue
        if w in words("explain explains explained explaining") and nxt in {"me", "us"}:
            why = 'We explain something "to" someone: "explain to me".'
        elif w in words("listen listens listened listening") and nxt in words("music me him her us them"):
            why = 'We "listen to" something or someone.'
        elif w == "like" and s.word(i - 1) in words("would i'd we'd you'd he'd she'd they'd") and nxt in INFINITIVES:
            why = 'After "would like", use "to" + verb.'
        else:
            continue
        yield s.edit(i + 1, i + 1, "to " + s.original(i + 1), "missing_word", why, "missing_to")


def extra_to(s: Sentence) -> Iterator[RuleEdit]:
    """ "I can to swim" -> "I can swim": modal verbs take a bare infinitive."""
    for i in range(s.n - 2):
        w = s.word(i)
        if (
            (w in MODALS - words("will would won't wouldn't") or w == "let's")
            and s.word(i + 1) == "to"
            and s.word(i - 1) not in DETERMINERS
            and is_base(s.word(i + 2))
            and s.joined(i, i + 2)
        ):
            # (not "a can to recycle", "from May to June")
            yield s.edit(i, i + 1, s.original(i), "extra_word", f'No "to" after "{s.original(i)}".', "extra_to")


def age_with_have(s: Sentence) -> Iterator[RuleEdit]:
    """ "I have 20 years" -> "I am 20 years old": English gives an age with "be"."""
    for i in range(s.n - 3):
        subject, have, number = s.word(i), s.word(i + 1), s.word(i + 2)
        person = (
            subject in {"i", "he", "she"}
            or subject in PERSON_NOUNS | {"child", "baby"}
            and s.word(i - 1) in POSSESSIVES
        )  # "my daughter has six years"
        value = int(number) if number.isdigit() else NUMBER_WORDS.get(number, 0)
        if (
            not person
            or have not in {"have", "has", "had"}
            or not 1 <= value <= 120
            or s.word(i + 3) not in {"years", "year"}
            or not s.joined(i, i + 3)
        ):
            continue
        old = s.word(i + 4) == "old" and s.joined(i + 3, i + 4)
        if not old and (have == "had" or not s.boundary_after(i + 3) and s.word(i + 4) not in {"and", "but", "now"}):
            continue  # "I have 20 years of experience", "I had 10 years to pay"
        be = "was" if have == "had" else "am" if subject == "i" else "is"
        yield s.edit(
            i + 1,
            i + 4 if old else i + 3,
            f"{be} {s.original(i + 2)} years old",
            "vocabulary",
            'In English, age is said with "be": "I am 20 years old".',
            "age_with_have",
        )


# (forms of the wrong verb, nouns it goes with, the right verb's forms in the same order, why)
COLLOCATIONS = [
    (
        ("make", "makes", "made", "making"),
        words("photo photos photograph photographs selfie selfies"),
        ("take", "takes", "took", "taking"),
        'We "take" a photo.',
    ),
    (
        ("do", "does", "did", "doing"),
        words("mistake mistakes"),
        ("make", "makes", "made", "making"),
        'We "make" a mistake.',
    ),
    (("make", "makes", "made", "making"), words("homework"), ("do", "does", "did", "doing"), 'We "do" homework.'),
    (
        ("make", "makes", "made", "making"),
        words("party"),
        ("have", "has", "had", "having"),
        'We "have" (or "throw") a party.',
    ),
]
# Words that may stand between the verb and its noun: "made a lot of photos", "did a big mistake".
COLLOCATION_FILLERS = words(
    """a an the some many my your his her our their lots of lot this that few these those any no nice good same big
    small huge terrible stupid silly serious little"""
)
# "do" is the verb of the mistake only after its subject ("I did many mistakes"), not an
# auxiliary ("Do mistakes matter?").
BEFORE_MAIN_DO = frozenset(SUBJECTS) | MODALS | DO_NEGATIVE | words("to not never always often")


def collocations(s: Sentence) -> Iterator[RuleEdit]:
    """ "make a photo" -> "take", "do a mistake" -> "make", "borrow me" -> "lend me", "said me" -> "told me"."""
    for i in range(s.n - 1):
        w = s.word(i)
        for forms, nouns, right, why in COLLOCATIONS:
            if w not in forms or forms[0] == "do" and s.word(i - 1) not in BEFORE_MAIN_DO:
                continue
            noun = next((i + g for g in range(1, 5) if s.word(i + g) in nouns), None)
            if (
                noun is not None
                and s.joined(i, noun)
                and noun_phrase_ends(s, noun)
                and all(s.word(m) in COLLOCATION_FILLERS for m in range(i + 1, noun))
            ):
                # (not "make a photo album", "make homework fun")
                yield s.edit(i, i, right[forms.index(w)], "vocabulary", why, "collocations")
        lend = {"borrow": "lend", "borrows": "lends", "borrowed": "lent", "borrowing": "lending"}
        if w in lend and s.word(i + 1) in {"me", "us"} and s.joined(i, i + 2):
            # "borrow me your pen" (but "can I borrow her car?", "can I borrow them?")
            yield s.edit(
                i,
                i,
                lend[w],
                "vocabulary",
                'You "borrow" from someone and "lend" to someone: "lend me".',
                "collocations",
            )
        tell = {"say": "tell", "says": "tells", "said": "told", "saying": "telling"}
        if w in tell and s.word(i + 1) in {"me", "us"} and s.joined(i, i + 2):  # (but "say them out loud")
            yield s.edit(
                i, i, tell[w], "vocabulary", 'We "tell" someone something; "say" takes no person.', "collocations"
            )
