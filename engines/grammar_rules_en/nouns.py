"""Rules about nouns: singular and plural, "many"/"much", articles."""

from __future__ import annotations

from collections.abc import Iterator

from .sentence import RuleEdit, Sentence
from .words import (
    BE_FORMS,
    CONTRACTED_BE,
    COUNT_NOUNS,
    PERSON_NOUNS,
    PLURAL_ONLY,
    PLURAL_TO_SINGULAR,
    POSSESSIVES,
    ROLES,
    SHORT_ADJECTIVES,
    UNCOUNTABLE,
    WRONG_PLURALS,
    a_or_an,
    words,
)

# --- rules: nouns, articles and quantities ---------------------------------------------------

# Words that may follow a noun at the end of its noun phrase ("these apple ARE", not "these apple PIES").
PHRASE_FOLLOWERS = words(
    """is are was were have has do don't does doesn't look looks taste tastes cost costs seem seems and or but in on
    at from of for with to that which who i you he she we they it here there now today very please every after
    before yesterday tonight together"""
)


def noun_phrase_ends(s: Sentence, i: int) -> bool:
    return s.boundary_after(i) or s.word(i + 1) in PHRASE_FOLLOWERS


def many_much(s: Sentence) -> Iterator[RuleEdit]:
    """ "many informations" -> "a lot of information"; "much friends" -> "many friends"."""
    for i in range(s.n - 1):
        w, noun = s.word(i), s.word(i + 1)
        if not s.joined(i, i + 1):
            continue
        if w == "many" and (noun in WRONG_PLURALS or noun in UNCOUNTABLE and noun_phrase_ends(s, i + 1)):
            singular = WRONG_PLURALS.get(noun, noun)  # (not "many water bottles")
            quantifier = "much" if s.word(i - 1) in words("how too so as very not") else "a lot of"
            yield s.edit(
                i,
                i + 1,
                f"{quantifier} {singular}",
                "number",
                f'"{singular}" is uncountable: "{quantifier} {singular}", not "many".',
                "many_much",
            )
        elif (
            w == "much"
            and (noun in PLURAL_TO_SINGULAR or noun in PLURAL_ONLY)
            and not any(s.word(m) in {"thank", "thanks"} for m in range(max(0, i - 3), i))
        ):
            # (not "thank you so much friends")
            yield s.edit(i, i, "many", "number", f'"{noun}" is countable: "many {noun}", not "much".', "many_much")


# Irregular plurals given a regular -s on top ("peoples" is a word: nations).
DOUBLE_PLURALS = {
    "childrens": "children",
    "mens": "men",
    "womens": "women",
    "feets": "feet",
    "teeths": "teeth",
    "sheeps": "sheep",
    "mices": "mice",
}


def noun_number(s: Sentence) -> Iterator[RuleEdit]:
    """ "every days" -> "day", "these apple" -> "apples", "one of my friend" -> "friends", "childrens" -> "children"."""
    for i in range(s.n):
        w, noun = s.word(i), s.word(i + 1)
        if w in DOUBLE_PLURALS:
            yield s.edit(i, i, DOUBLE_PLURALS[w], "number", f'"{DOUBLE_PLURALS[w]}" is already plural.', "noun_number")
        if not s.joined(i, i + 1) or not noun_phrase_ends(s, i + 1):
            continue
        if w in {"every", "each"} and noun in PLURAL_TO_SINGULAR and noun != "people":
            new = PLURAL_TO_SINGULAR[noun]
            yield s.edit(i + 1, i + 1, new, "number", f'After "{w}", use the singular: "{w} {new}".', "noun_number")
        elif (
            noun in COUNT_NOUNS
            and noun not in PLURAL_TO_SINGULAR
            and (
                w in {"these", "those"}
                and s.word(i + 2) not in words("is was has does doesn't looks tastes costs seems")
                or w in POSSESSIVES | {"these", "those"}
                and s.is_(i - 2, "one", "of")
            )
        ):  # ("these book is" may be "this book is": left alone)
            new = COUNT_NOUNS[noun]
            before = s.span_text(i - 2 if s.word(i - 1) == "of" else i, i)
            yield s.edit(i + 1, i + 1, new, "number", f'After "{before}", use the plural: "{new}".', "noun_number")


def article_mass_noun(s: Sentence) -> Iterator[RuleEdit]:
    """ "a bread", "a homework" -> "some bread": an uncountable noun takes no "a" (not "a bread knife")."""
    for i in range(s.n - 1):
        noun = s.word(i + 1)
        # ("a water, please", "a good knowledge of French" are right)
        if (
            s.word(i) in {"a", "an"}
            and noun in UNCOUNTABLE - words("water milk sugar knowledge")
            and s.joined(i, i + 1)
            and noun_phrase_ends(s, i + 1)
        ):
            yield s.edit(
                i,
                i + 1,
                "some " + s.original(i + 1),
                "article",
                f'"{noun}" is uncountable: "some {noun}", not "a {noun}".',
                "article_mass_noun",
            )


def superlative(word: str) -> bool:
    """best, worst, or the -est form of a short adjective (biggest, nicest, easiest)."""
    if word in {"best", "worst"}:
        return True
    stem = word[:-3] if word.endswith("est") else ""
    candidates = {stem, stem + "e", stem[:-1], stem[:-1] + "y" if stem.endswith("i") else ""}
    return bool(stem) and bool(candidates & SHORT_ADJECTIVES)


# Nouns that follow a superlative ("it is best way"), besides roles and countable nouns.
SUPERLATIVE_NOUNS = (ROLES | frozenset(COUNT_NOUNS) | words("player team way option choice moment solution part")) - {
    "friend"  # "they are best friends"
}
ROLE_FOLLOWERS = words("from in at and but for with of here there now too i he she we they you")


def missing_article(s: Sentence) -> Iterator[RuleEdit]:
    """ "I am student" -> "I am a student"; "She is best baker" -> "the best baker"; "in the nature" -> "in nature"."""
    for i in range(s.n - 1):
        w, nxt = s.word(i), s.word(i + 1)
        if not s.joined(i, i + 1):
            continue
        singular_subject_be = (
            w in {"i'm", "he's", "she's"}
            or w in {"am", "is", "was"}
            and s.word(i - 1) in {"i", "he", "she"}
            and s.joined(i - 1, i)
            or w in {"is", "was"}
            and s.word(i - 1) in PERSON_NOUNS
            and s.word(i - 2) in POSSESSIVES  # "my wife is"
        )
        one_of = s.is_(i - 1, "one", "of")
        if singular_subject_be and nxt in ROLES and (s.boundary_after(i + 1) or s.word(i + 2) in ROLE_FOLLOWERS):
            article = a_or_an(nxt)  # (not "he is Doctor Jones", "I'm beginner level")
            yield s.edit(
                i + 1,
                i + 1,
                f"{article} {s.original(i + 1)}",
                "article",
                f'A job or role takes "{article}": "{article} {nxt}".',
                "missing_article",
            )
        elif (
            (w in BE_FORMS | set(CONTRACTED_BE) | {"it's"} or one_of)
            and superlative(nxt)
            and s.joined(i + 1, i + 2)
            and (s.word(i + 2) in SUPERLATIVE_NOUNS or one_of and s.word(i + 2) in PLURAL_TO_SINGULAR)
        ):
            # (not "it is best to wait", "they are best friends", "he is best known for")
            yield s.edit(
                i + 1,
                i + 1,
                "the " + s.original(i + 1),
                "article",
                f'A superlative takes "the": "the {nxt}".',
                "missing_article",
            )
        if s.is_(i, "the", "nature") and (
            s.boundary_after(i + 1) or s.word(i + 2) in words("very so and a too here because")
        ):  # nature in general takes no article (but "the nature of the problem", "the nature reserve")
            yield s.edit(
                i, i + 1, s.original(i + 1), "article", '"Nature" in general takes no article.', "missing_article"
            )
