"""Hand-written English grammar rules for typical learner mistakes, on top of Harper.

Harper (``grammar_harper``) is a general linter: it misses many mistakes that learners of
English make all the time ("Yesterday I eat", "Does he likes", "I am agree", "people is",
"I am student", "Where I can find...?"), and for a few it proposes a wrong correction
("She writed" -> "She written", "Where you live?" -> "Were you live?"). Each rule below
recognises one such construction and proposes one correction.

Precision comes first: a learner is hurt more by a wrong correction than by a missed one.
So every rule fires only on a narrow pattern (pronoun subjects rather than any noun phrase,
small word tables rather than guesses) and has explicit exclusions for the correct sentences
that look like the mistake (each is in the tests). The input is a speech transcript: capitals
are ignored, punctuation is used only as a clause boundary when present, and the question
rules need the final "?" that Whisper writes.

``check(text)`` returns non-overlapping ``RuleEdit``s (character spans of ``text``) in text
order; when two rules claim overlapping words, the one earlier in ``RULES`` wins.

Where things live: ``words`` holds the word tables and verb-form helpers, ``sentence`` the
``Sentence`` the rules read and the ``RuleEdit`` they propose; the rules are grouped by theme in
``verbs`` (agreement, auxiliaries, irregular pasts, "be"), ``tenses``, ``word_order`` (questions,
adverbs), ``nouns`` (number, articles, much/many) and ``usage`` (prepositions, "to", age,
collocations). ``RULES`` below gives their order.
"""

from __future__ import annotations

from .nouns import article_mass_noun, many_much, missing_article, noun_number
from .sentence import Rule, RuleEdit, Sentence
from .tenses import past_time_present_verb, perfect_with_past_time, present_with_since, will_in_condition
from .usage import age_with_have, collocations, extra_to, missing_to, prepositions
from .verbs import base_after_auxiliary, be_agree, irregular_past, missing_be, noun_agreement, pronoun_agreement
from .word_order import adverb_position, embedded_question_order, question_word_order, very_much_position
from .words import OVERREGULARIZED, participle, past, third_person

__all__ = ["OVERREGULARIZED", "RULES", "RuleEdit", "apply", "check", "participle", "past", "third_person"]

# The rules in priority order: where two edits overlap, the rule earlier here wins.
RULES: list[Rule] = [
    be_agree,
    perfect_with_past_time,
    present_with_since,
    will_in_condition,
    past_time_present_verb,
    question_word_order,
    embedded_question_order,
    base_after_auxiliary,
    pronoun_agreement,
    noun_agreement,
    irregular_past,
    many_much,
    noun_number,
    article_mass_noun,
    missing_article,
    prepositions,
    missing_to,
    extra_to,
    age_with_have,
    collocations,
    adverb_position,
    very_much_position,
    missing_be,
]


# --- entry point -----------------------------------------------------------------------------


def check(text: str) -> list[RuleEdit]:
    """All rule edits for ``text``, without overlaps (the earlier rule wins), in text order."""
    s = Sentence(text)
    chosen: list[RuleEdit] = []
    for fn in RULES:
        for edit in fn(s):
            if edit.replacement != edit.original and not any(
                edit.start < other.end and other.start < edit.end for other in chosen
            ):
                chosen.append(edit)
    return sorted(chosen, key=lambda e: e.start)


def apply(text: str, edits: list[RuleEdit]) -> str:
    """``text`` with ``edits`` (non-overlapping) applied."""
    for edit in sorted(edits, key=lambda e: e.start, reverse=True):
        text = text[: edit.start] + edit.replacement + text[edit.end :]
    return text
