"""Rules about word order: questions (direct and indirect), the place of "always"/"never" and
of "very much".
"""

from __future__ import annotations

from collections.abc import Iterator

from .sentence import RuleEdit, Sentence
from .words import (
    BE_FORMS,
    CLAUSE_WORDS,
    MODALS,
    NOMINATIVE,
    POSSESSIVES,
    SUBJECTS,
    VERB_FORMS,
    base_of,
    is_ing,
    present_base,
    words,
)

# --- rules: questions ------------------------------------------------------------------------


def question_head(s: Sentence) -> int:
    """The number of words of the question word opening a question ("where", "how much"), else 0."""
    if not s.question or s.n < 3 or s.word(0) not in words("where what why when how who"):
        return 0
    if s.is_(0, "what", "time") or s.word(0) == "how" and s.word(1) in words("much many long often old far"):
        return 2 if s.joined(0, 1) else 0
    return 1


def another_clause(s: Sentence, start: int) -> bool:
    """From word ``start`` on, another subject or finite verb: "What you said was true?"."""
    return any(s.word(m) in NOMINATIVE | BE_FORMS | MODALS | {"do", "does", "did"} for m in range(start, s.n))


def question_word_order(s: Sentence) -> Iterator[RuleEdit]:
    """ "Where I can find...?" -> "Where can I find...?"; "How much it cost?" -> "How much does it cost?".

    Only for a whole sentence that opens with the question word and ends with "?", so that "What you
    need is rest." or "Where I live, it rains." are left alone.
    """
    head = question_head(s)
    subject, verb = s.word(head), s.word(head + 1)
    if not head or subject not in SUBJECTS or not s.joined(0, head + 1) or another_clause(s, head + 2):
        return
    question = s.span_text(0, head - 1)
    if verb in MODALS or verb in {"am", "is", "are", "was", "were"}:
        yield s.edit(
            0,
            head + 1,
            f"{question} {verb} {s.original(head)}",
            "word_order",
            "In a question, the verb comes before the subject.",
            "question_word_order",
        )
        return
    # "Where you live?" -> "Where do you live?", "What you did?" -> "What did you do?"
    base, do = present_base(verb), "does" if SUBJECTS[subject] == "3s" else "do"
    if base is None:
        base, do = base_of(verb, ("past",)), "did"
    if base is None or base == "have" and base_of(s.word(head + 2), ("pp",)):
        return  # ("Where you have been?" needs "have" first, not "do")
    yield s.edit(
        0,
        head + 1,
        f"{question} {do} {s.original(head)} {base}",
        "missing_word",
        'A question with a question word needs "do/does/did" before the subject.',
        "question_word_order",
    )


# Words before an indirect question: "do you know / tell me / I wonder where...".
EMBEDDING = words("know me us wonder idea sure remember ask understand")


def embedded_question_order(s: Sentence) -> Iterator[RuleEdit]:
    """ "Do you know where is the station?" -> "where the station is": an indirect question keeps statement order."""
    for i in range(1, s.n - 2):
        if s.word(i - 1) not in EMBEDDING:
            continue
        if s.is_(i, "what", "time") or s.word(i) == "how" and s.word(i + 1) in words("much old far long"):
            be = i + 2
        elif s.word(i) in {"where", "when", "how"}:  # ("who is coming", "what is wrong" are right)
            be = i + 1
        else:
            continue
        if s.word(be) not in {"is", "are", "was", "were"} or not s.joined(i - 1, be + 1):
            continue
        # The subject: a pronoun, or a determiner and up to three more words, ending the clause.
        first = last = be + 1
        if s.word(first) in POSSESSIVES | {"this", "that"}:
            while not s.boundary_after(last) and last - first < 3:
                last += 1
        elif s.word(first) not in words("it he she they you we"):
            continue
        if not s.boundary_after(last) or any(
            base_of(s.word(m), ("s3", "past", "pp"))
            or s.word(m) in BE_FORMS | MODALS | CLAUSE_WORDS
            or is_ing(s.word(m))
            or s.word(m).endswith("ed")
            or s.word(m) in words("today tomorrow now here there")
            for m in range(first + 1, last + 1)
        ):
            continue  # not a plain noun phrase: "when is the train leaving"
        yield s.edit(
            i,
            last,
            f"{s.span_text(i, be - 1)} {s.span_text(first, last)} {s.original(be)}",
            "word_order",
            'In an indirect question ("Do you know where..."), the subject comes before the verb.',
            "embedded_question_order",
        )


# --- rules: word order -----------------------------------------------------------------------


def adverb_position(s: Sentence) -> Iterator[RuleEdit]:
    """ "Always I drink" / "I drink always coffee" -> "I always drink (coffee)": the adverb goes before the verb."""
    # "Always I drink coffee", "Never I am late": adverb, subject pronoun, verb.
    if s.word(0) in {"always", "never"} and s.word(1) in SUBJECTS and s.joined(0, 2):
        adverb, subject, verb = s.original(0).lower(), s.original(1), s.original(2)
        if s.word(2) in BE_FORMS | MODALS:
            yield s.edit(
                0, 2, f"{subject} {verb} {adverb}", "word_order", f'"{adverb}" goes after "{verb}".', "adverb_position"
            )
        elif s.word(2) in VERB_FORMS:
            yield s.edit(
                0, 1, f"{subject} {adverb}", "word_order", f'"{adverb}" goes before the verb.', "adverb_position"
            )
    # "I drink always coffee": subject pronoun, present verb, adverb, more words.
    for i in range(s.n - 3):
        verb = s.word(i + 1)
        if (
            s.word(i) in SUBJECTS
            and s.clause_start(i)
            and s.word(i + 2) in words("always never usually")
            and present_base(verb)
            and verb not in words("have has do does")
            and s.joined(i, i + 3)
            and s.word(i + 3) not in words("and or but again forever ever mind")
        ):
            # (not "it happens always", "I love you always and forever", "I say never again")
            yield s.edit(
                i + 1,
                i + 2,
                f"{s.original(i + 2)} {s.original(i + 1)}",
                "word_order",
                f'"{s.original(i + 2)}" goes before the verb.',
                "adverb_position",
            )


VERY_MUCH_VERBS = words("like likes liked love loves loved enjoy enjoys enjoyed hate hates hated miss misses missed")


def very_much_position(s: Sentence) -> Iterator[RuleEdit]:
    """ "I like very much chocolate" -> "I like chocolate very much": nothing between a verb and its object."""
    for i in range(s.n - 3):
        if s.word(i) not in VERY_MUCH_VERBS or not s.is_(i + 1, "very", "much") or not s.joined(i, i + 3):
            continue
        end = i + 3  # the object runs to the end of the clause (at most five words)
        while not s.boundary_after(end) and end - i < 7:
            end += 1
        if s.boundary_after(end) and not any(
            s.word(m) in NOMINATIVE | MODALS | CLAUSE_WORDS - {"and"} for m in range(i + 3, end + 1)
        ):  # (not "I love very much that you came")
            yield s.edit(
                i,
                end,
                f"{s.original(i)} {s.span_text(i + 3, end)} {s.span_text(i + 1, i + 2)}",
                "word_order",
                '"very much" goes after the object: "I like it very much".',
                "very_much_position",
            )
