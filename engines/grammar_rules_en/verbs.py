"""Rules about verb forms: "be" with a verb ("I am agree") or missing ("she very nice"), the base
form after an auxiliary, subject-verb agreement, irregular pasts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from .sentence import RuleEdit, Sentence
from .words import (
    ADJECTIVES,
    AUXILIARIES,
    BE_FOR,
    BE_FORMS,
    CAUSATIVES,
    DETERMINERS,
    MANDATIVE,
    MID_ADVERBS,
    OVERREGULARIZED,
    PERSON_NOUNS,
    PLURAL_ONLY,
    PLURAL_TO_SINGULAR,
    POSSESSIVES,
    PREPOSITIONS,
    SAME_PAST,
    SUBJECTS,
    VERB_FORMS,
    base_of,
    is_base,
    participle,
    past,
    third_person,
    words,
)

# --- rules: verbs after "be" -------------------------------------------------------------------

CONTRACTED_BE = {
    "i'm": ("I", "am"),
    "you're": ("you", "are"),
    "we're": ("we", "are"),
    "they're": ("they", "are"),
    "he's": ("he", "is"),
    "she's": ("she", "is"),
}


def be_agree(s: Sentence) -> Iterator[RuleEdit]:
    """ "I am agree" -> "I agree": "agree" is a verb, not an adjective (Spanish "estoy de acuerdo")."""
    for i in range(s.n):
        w = s.word(i)
        if w in CONTRACTED_BE:
            subject, be = CONTRACTED_BE[w]
            subject = s.original(i)[: len(subject)] + " "
        elif w in {"am", "is", "are", "was", "were"}:
            subject, be = "", w
        else:
            continue
        k = i + 1
        negative = s.word(k) == "not"
        k += negative
        adverb = s.original(k) + " " if s.word(k) in words("totally completely fully absolutely really also") else ""
        k += bool(adverb)
        verb = s.word(k)
        if verb not in {"agree", "disagree"} or not s.joined(i, k):
            continue
        tense = "past" if be in {"was", "were"} else "s3" if be == "is" else "base"
        if negative:  # "I am not agree" -> "I don't agree"
            do = {"past": "didn't", "s3": "doesn't", "base": "don't"}[tense]
            new = f"{do} {adverb}{verb}"
        else:
            inflections: dict[str, Callable[[str], str]] = {"past": past, "s3": third_person, "base": str}
            new = adverb + inflections[tense](verb)
        yield s.edit(
            i, k, subject + new, "extra_word", f'"{verb}" is a verb: "I {verb}", not "I am {verb}".', "be_agree"
        )


# --- rules: verb forms and agreement ---------------------------------------------------------


def base_after_auxiliary(s: Sentence) -> Iterator[RuleEdit]:
    """ "Does he likes" -> "like", "He can speaks" -> "speak", "didn't went" -> "go", "will visited" -> "visit"."""
    for i in range(s.n - 1):
        w = s.word(i)
        if (
            not (w in AUXILIARIES or w.endswith("'ll") or w in {"do", "does", "did"})
            or s.word(i - 1) in DETERMINERS
            or w == "may"
            and s.word(i - 1) in PREPOSITIONS
        ):
            continue  # "the will", "a can", "in May"
        k = i + 1
        if s.word(k) in SUBJECTS and not w.endswith("'ll"):
            k += 1  # a question: "Does he likes...?", "Can she speaks...?"
        elif w in {"do", "does", "did"}:
            continue  # with no subject after it, "do" may be the main verb: "I do exercises"
        k += s.word(k) in MID_ADVERBS | words("not probably")
        base = base_of(s.word(k), ("s3", "past", "pp"))
        if base is not None and s.joined(i, k):
            yield s.edit(
                k,
                k,
                base,
                "verb_conjugation",
                f'After "{s.original(i)}", use the base form of the verb ("{base}").',
                "base_after_auxiliary",
            )


def not_a_finite_subject(s: Sentence, i: int) -> bool:
    """The pronoun at ``i`` does not take an agreeing verb here."""
    prev = s.word(i - 1)
    return (
        prev in AUXILIARIES | CAUSATIVES | {"do", "does", "did", "rather"}
        or prev.endswith("'ll")  # "let it go"
        or prev in {"and", "or", "nor"}  # "Tom and I are": a plural subject
        or any(s.word(m) in MANDATIVE for m in range(max(0, i - 4), i))  # "I suggest (that) he go"
    )


def filler_like(s: Sentence, i: int) -> bool:
    """The "like" at ``i`` is the spoken filler: "she, like, totally forgot", "he like went home"."""
    nxt = s.word(i + 1)
    return bool(
        s.boundary_after(i) or nxt in MID_ADVERBS | words("totally literally so") or base_of(nxt, ("past", "s3"))
    )


def pronoun_agreement(s: Sentence) -> Iterator[RuleEdit]:
    """Subject-verb agreement after a pronoun: "it have" -> "has", "he always go" -> "goes", "I is" -> "am"."""
    for i in range(s.n - 1):
        subject = s.word(i)
        if subject not in SUBJECTS or subject in {"it", "you"} and not s.clause_start(i):
            continue  # "it" and "you" may be objects: "I'd call it love"
        if not_a_finite_subject(s, i):
            continue
        person = SUBJECTS[subject]
        k = i + 1 + (s.word(i + 1) in MID_ADVERBS)
        verb = s.word(k)
        if not s.joined(i, k):
            continue
        if verb in {"am", "is", "are"}:
            new = BE_FOR[person]
        elif verb in {"was", "don't", "doesn't"}:
            new = {
                "was": "were" if person == "pl" else "was",
                "don't": "doesn't" if person == "3s" else "don't",
                "doesn't": "doesn't" if person == "3s" else "don't",
            }[verb]
        elif person == "3s":
            base = verb if is_base(verb) else None
            if (
                base is None
                or base in SAME_PAST
                or base_of(verb, ("past",))
                or s.word(k + 1) == "not"
                or base == "use"
                and s.word(k + 1) == "to"
                or base == "like"
                and filler_like(s, k)
            ):
                continue  # "it cost" (past), "she need not", "he use to" ("used to"), "she like totally forgot"
            new = third_person(base)
        else:
            new = base_of(verb, ("s3",)) or verb
        if new != verb:
            yield s.edit(
                k,
                k,
                new,
                "verb_conjugation",
                f'The verb must agree with "{s.original(i)}": "{s.original(i)} {new}".',
                "pronoun_agreement",
            )


PLURAL_VERB = {"is": "are", "was": "were", "has": "have", "doesn't": "don't", "does": "do"}
SINGULAR_VERB = {"have": "has", "don't": "doesn't", "do": "does"}
# Verbs after a noun subject that are (nearly) never nouns, so that in "my sister work" the word
# after the noun can only be its verb.
NOUN_SUBJECT_VERBS = words(
    "go like want live speak know love say think come cook eat drink study give teach tell help buy sell believe"
    " work play watch make take"
)
# -s forms that are not also plural nouns ("likes", "lives", "drinks" are).
S3_NOT_NOUNS = words("goes speaks knows says thinks comes eats gives teaches tells sells believes")


def noun_agreement(s: Sentence) -> Iterator[RuleEdit]:
    """ "My sister have" -> "has"; "people is", "people thinks" -> "are", "think"; "the cakes is" -> "are"."""
    for i in range(s.n - 1):
        noun, verb = s.word(i), s.word(i + 1)
        start = i - 1 if s.word(i - 1) in DETERMINERS | words("many most all both") else i
        prev = s.word(start - 1)
        if (
            not s.joined(i, i + 1)
            or s.word(i - 1) == "a"
            or prev in words("and or nor rather do does did")
            or prev in AUXILIARIES | CAUSATIVES
        ):
            continue  # "a people", "my sister and my brother have", "does my sister have", "let my sister go"
        if prev in PREPOSITIONS and not s.is_(start - 3, "a", "lot", "of") and not s.is_(start - 2, "lots", "of"):
            continue  # "one of the books is", "the number of people is"
        plural_subject = noun in PLURAL_TO_SINGULAR and s.word(i - 1) in POSSESSIVES | words("these those some")
        if noun in PLURAL_ONLY or plural_subject:
            new = PLURAL_VERB.get(verb) or (base_of(verb, ("s3",)) if verb in S3_NOT_NOUNS else None)
            if new:
                yield s.edit(
                    i + 1,
                    i + 1,
                    new,
                    "verb_conjugation",
                    f'"{s.original(i)}" is plural: use "{new}".',
                    "noun_agreement",
                )
        elif (
            noun in PERSON_NOUNS
            and s.word(i - 1) in POSSESSIVES
            and s.word(i + 2) != "not"
            and (verb in SINGULAR_VERB or verb in NOUN_SUBJECT_VERBS)
        ):
            new = SINGULAR_VERB.get(verb) or third_person(verb)
            yield s.edit(
                i + 1,
                i + 1,
                new,
                "verb_conjugation",
                f'"{s.span_text(i - 1, i)}" is singular: use "{new}".',
                "noun_agreement",
            )
    for i in range(s.n - 2):  # "There is many people" -> "There are many people"
        if (
            s.word(i) == "there"
            and s.word(i + 1) in {"is", "was"}
            and s.word(i + 2) in {"many", "several"}
            and s.joined(i, i + 2)
        ):
            new = PLURAL_VERB[s.word(i + 1)]
            yield s.edit(
                i + 1, i + 1, new, "verb_conjugation", f'Before a plural, say "there {new}".', "noun_agreement"
            )


AFTER_HAVE_OR_BE = words("have has had been be being was were is are am")


def irregular_past(s: Sentence) -> Iterator[RuleEdit]:
    """ "goed", "buyed", "leaved", "writed" -> the irregular past, or the participle after have/be.

    (Harper knows most of these words but its first suggestion is sometimes the participle:
    "She writed" -> "She written".)
    """
    for i in range(s.n):
        base = OVERREGULARIZED.get(s.word(i))
        if base is None:
            continue
        back = s.word(i - 2) if s.word(i - 1) in MID_ADVERBS | {"not"} else s.word(i - 1)
        after_aux = back in AFTER_HAVE_OR_BE or back.endswith(("'ve", "'d"))
        new = participle(base) if after_aux else past(base)
        yield s.edit(i, i, new, "verb_conjugation", f'"{base}" is irregular: "{new}".', "irregular_past")


# --- rules: a missing "be" ---------------------------------------------------------------------


def missing_be(s: Sentence) -> Iterator[RuleEdit]:
    """ "My brother very tall" -> "My brother is very tall": an adjective needs the verb "be"."""
    for i in range(1, s.n - 1):
        adjective = s.word(i + 1)
        if (
            s.word(i) not in words("very so too really")
            or adjective not in ADJECTIVES
            or not s.joined(i, i + 1)
            or not (s.boundary_after(i + 1) or s.word(i + 2) in words("and but today now here there"))
        ):
            continue
        subject = s.word(i - 1)
        if subject in SUBJECTS and s.clause_start(i - 1) and s.joined(i - 1, i):  # "she very nice"
            be = BE_FOR[SUBJECTS[subject]]
        elif (
            s.word(i - 2) in POSSESSIVES
            and s.clause_start(i - 2)
            and s.joined(i - 2, i)
            and subject not in VERB_FORMS
            and subject not in ADJECTIVES | BE_FORMS | AUXILIARIES
        ):
            # "the food very good"
            be = "are" if subject in PLURAL_TO_SINGULAR or subject in PLURAL_ONLY else "is"
        else:
            continue  # (not "I feel very tired", "is it too late?", "the very tall man")
        yield s.edit(
            i,
            i,
            f"{be} {s.original(i)}",
            "missing_word",
            f'An adjective needs the verb "be": "{be} {s.word(i)} {adjective}".',
            "missing_be",
        )
