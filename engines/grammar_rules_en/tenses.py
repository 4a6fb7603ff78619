"""Rules about tenses: present perfect or simple past with a time phrase, "since", "will" in a
condition, a present verb about the past.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .sentence import RuleEdit, Sentence
from .words import (
    AUXILIARIES,
    BE_FOR,
    BE_FORMS,
    CLAUSE_WORDS,
    COGNITIVE,
    DAYS,
    MID_ADVERBS,
    MONTHS,
    NOMINATIVE,
    NUMBER_WORDS,
    SAME_PAST,
    SUBJECTS,
    TIME_UNITS,
    VERB_FORMS,
    base_of,
    is_base,
    is_ing,
    participle,
    past,
    present_base,
    third_person,
    words,
)

# --- rules: tenses ---------------------------------------------------------------------------

LAST_WHAT = DAYS | MONTHS | words("week month year night weekend summer winter spring autumn fall time christmas")
LAST_NOT_AFTER = words("the this my at")  # "the last week of June", "my last week here", "at last I"
AGO_AMOUNTS = words("a an few several many couple of some long")
# A time phrase after these is not the time of the verb: "since yesterday", "as last time", "than last year".
TIME_PREPOSITIONS = words("since from until till than as of like about before after for on by")


def past_time(s: Sentence, i: int) -> int:
    """The number of words of a finished-past time phrase starting at word ``i`` (0 if none).

    "yesterday (morning)", "the day before yesterday", "last week/Monday/...", "two days ago".
    """
    w = s.word(i)
    if w == "yesterday":
        return 2 if s.word(i + 1) in words("morning afternoon evening night") and s.joined(i, i + 1) else 1
    if s.is_(i, "the", "day", "before", "yesterday"):
        return 4
    if w == "last" and s.word(i + 1) in LAST_WHAT and s.joined(i, i + 1) and s.word(i - 1) not in LAST_NOT_AFTER:
        return 2
    for length in (2, 3, 4):  # "two days ago", "a few weeks ago", "a long time ago", "a couple of years ago"
        if s.word(i + length) == "ago" and s.joined(i, i + length):
            *amount, unit = s.low[i : i + length]
            if (unit in TIME_UNITS or unit == "while" or amount[-1:] == ["long"] and unit == "time") and all(
                w.isdigit() or w in NUMBER_WORDS or w in AGO_AMOUNTS for w in amount
            ):
                return length + 1
    return 0


def next_past_time(s: Sentence, start: int) -> int | None:
    """The first finished-past time phrase from word ``start`` that is not after a preposition."""
    return next((m for m in range(start, s.n) if past_time(s, m) and s.word(m - 1) not in TIME_PREPOSITIONS), None)


def to_past(s: Sentence, i: int, person: str) -> str | None:
    """The simple past of the present-tense verb at word ``i`` (None if it is not one, or is left alone)."""
    w = s.word(i)
    if w in {"am", "is", "are"}:
        return "were" if person == "pl" else "was"
    if w in {"don't", "doesn't"}:
        return "didn't"
    base = present_base(w)
    if base is None or base in COGNITIVE or base in SAME_PAST:
        return None
    if base == "have" and (base_of(s.word(i + 1), ("pp",)) or s.word(i + 1) in {"been", "had"}):
        return None  # a present perfect: perfect_with_past_time's business
    if base == "use" and s.word(i + 1) == "to":
        return "used"  # "When I was young I use to..." -> "used to"
    return past(base)


def perfect_with_past_time(s: Sentence) -> Iterator[RuleEdit]:
    """ "I have seen it last week" -> "I saw it last week": a finished time takes the simple past."""
    contracted = {"i've": "i", "you've": "you", "we've": "we", "they've": "they"}
    for i in range(s.n - 1):
        if s.word(i) in contracted:
            subject, k = contracted[s.word(i)], i + 1
        elif s.word(i) in SUBJECTS and s.word(i + 1) == ("has" if SUBJECTS[s.word(i)] == "3s" else "have"):
            subject, k = s.word(i), i + 2
        else:
            continue
        person = SUBJECTS[subject]
        verb = s.word(k)
        if verb == "been":  # "I've been to Rome last year" -> "I went"; "we have been busy" -> "we were"
            new = "went" if s.word(k + 1) == "to" else ("were" if person == "pl" else "was")
        else:
            base = base_of(verb, ("pp", "past"))
            if base is None or base in COGNITIVE:
                continue  # (also "I have never seen it...": no finished time in mind)
            new = past(base)
        marker = next_past_time(s, k + 1)
        if (
            marker is None
            or not s.joined(i, marker)
            or any(
                s.word(m) in CLAUSE_WORDS - {"that"}
                or s.word(m) in SUBJECTS
                or s.word(m) in VERB_FORMS
                or s.word(m) in BE_FORMS | AUXILIARIES
                for m in range(k + 1, marker)
            )
        ):
            continue  # the time phrase belongs to another verb: "I have finished the report I sent last week"
        when = s.span_text(marker, marker + past_time(s, marker) - 1)
        yield s.edit(
            i,
            k,
            s.original(i)[: len(subject)] + " " + new,
            "tense",
            f'With a finished time ("{when}"), use the simple past, not the present perfect.',
            "perfect_with_past_time",
        )


def since_point(s: Sentence, i: int) -> bool:
    """Word ``i`` is "since" followed by a point in time: 2019, Monday, March, yesterday, last week."""
    if s.word(i) != "since" or not s.joined(i, i + 1):
        return False
    nxt = s.word(i + 1)
    if re.fullmatch(r"(19|20)\d\d", nxt) or nxt in DAYS | MONTHS | words("yesterday then morning childhood last"):
        return True
    return nxt == "this" and s.word(i + 2) in words("morning week month year")


def since_duration(s: Sentence, i: int) -> bool:
    """Word ``i`` is "since" followed by a duration ("since three weeks", "since a long time"): "for" is meant."""
    if s.word(i) != "since":
        return False
    for length in (1, 2, 3):  # "since ages", "since two years", "since a few days", "since a long time"
        *amount, unit = s.low[i + 1 : i + 1 + length] or [""]
        if (
            s.joined(i, i + length)
            and (
                unit in TIME_UNITS
                and amount
                and all(w.isdigit() or w in NUMBER_WORDS or w in AGO_AMOUNTS for w in amount)
                or unit == "ages"
                and not amount
                or amount == ["a", "long"]
                and unit == "time"
            )
            and s.word(i + 1 + length) != "ago"
        ):  # ("since two years ago" is another mistake)
            return True
    return False


PERFECT_OF_CONTRACTION = {"i'm": "'ve", "you're": "'ve", "we're": "'ve", "they're": "'ve", "he's": "'s", "she's": "'s"}


def perfect_of(s: Sentence, k: int) -> tuple[int, str] | None:
    """The present perfect of the present verb at word ``k`` with its subject: (first word, new words).

    "I am living" -> "I have been living", "I'm here" -> "I've been here", "she knows" -> "has known".
    """
    verb, be, subject = s.word(k), s.word(k - 1), s.word(k - 2)
    if is_ing(verb) or verb in {"here", "there"}:  # "I am living (here)", "I am here"
        if be in PERFECT_OF_CONTRACTION and s.joined(k - 1, k) and s.clause_start(k - 1):
            pronoun = re.split("['’]", s.original(k - 1))[0]
            return k - 1, f"{pronoun}{PERFECT_OF_CONTRACTION[be]} been {s.original(k)}"
        if subject in SUBJECTS and be == BE_FOR[SUBJECTS[subject]] and s.joined(k - 2, k) and s.clause_start(k - 2):
            have = "has" if SUBJECTS[subject] == "3s" else "have"
            return k - 2, f"{s.original(k - 2)} {have} been {s.original(k)}"
        return None
    # "I live here since 2019", "she know(s) him since 2010": base or -s form, the fix is the same.
    subject, base = s.word(k - 1), present_base(verb)
    if (
        subject not in SUBJECTS
        or not s.joined(k - 1, k)
        or not s.clause_start(k - 1)
        or base is None
        or base in {"have", "do"}
        or base in COGNITIVE - {"know"}
    ):
        return None
    return k, ("has " if SUBJECTS[subject] == "3s" else "have ") + participle(base)


def present_with_since(s: Sentence) -> Iterator[RuleEdit]:
    """ "I am living here since 2019" -> "I have been living"; "I know him since 2010" -> "I have known";
    "I live here since two years" -> "I have lived here for two years".

    "since" + a point in time needs the present perfect; a duration takes "for". Not "since" =
    because ("since it is raining").
    """
    for i in range(s.n):
        duration = since_duration(s, i)
        if not duration and not since_point(s, i):
            continue
        # Walk back over at most three object or place words ("here", "in London", "him") to the verb.
        k = i - 1
        while (
            k > 0
            and i - k <= 4
            and s.joined(k, i)
            and not (
                s.word(k) in VERB_FORMS
                or s.word(k) in BE_FORMS | AUXILIARIES
                or is_ing(s.word(k))
                or s.word(k) in SUBJECTS
                or s.word(k) in CLAUSE_WORDS
                or s.word(k) in {"here", "there"}
                and s.word(k - 1) in BE_FORMS | set(PERFECT_OF_CONTRACTION)
            )
        ):
            k -= 1
        found = perfect_of(s, k) if k > 0 and s.joined(k, i) else None
        if found is None:
            continue
        first, new = found
        if duration:  # the edit runs to "since", which becomes "for"
            middle = s.span_text(k + 1, i - 1) + " " if k + 1 < i else ""
            yield s.edit(
                first,
                i,
                f"{new} {middle}for",
                "tense",
                'For a duration up to now, use the present perfect with "for" ("I have lived here for two years").',
                "present_with_since",
            )
        else:
            yield s.edit(
                first,
                k,
                new,
                "tense",
                f'With "since" + a point in time, use the present perfect: "{new}".',
                "present_with_since",
            )


# "if"/"when" after these starts an indirect question, which may have "will": "I don't know if it will rain".
WHETHER_WORDS = words(
    """ask asks asked know knows knew wonder wonders wondered sure check checks checked see sees tell decide doubt
    unsure idea question understand remember find out whether"""
)
TIME_CONJUNCTIONS = words("if when once until before after")
# "if you will help me" means "if you are willing to": not a mistake.
WILLING = words("help come excuse follow allow let wait listen join forgive accept agree sit")


def _elsewhere(s: Sentence, first: int, last: int, auxiliaries: frozenset[str]) -> bool:
    """An auxiliary (or its contraction, "I'll") is in the sentence outside words first..last."""
    contractions = tuple(a for a in auxiliaries if a.startswith("'"))
    return any(
        s.word(m) in auxiliaries or s.word(m).endswith(contractions) for m in range(s.n) if not first <= m <= last
    )


def will_in_condition(s: Sentence) -> Iterator[RuleEdit]:
    """ "I will buy it if it will be cheap" -> "if it is cheap"; "If I would have money, I would..." -> "If I had".

    A condition or a time clause about the future takes the present ("I'll call you when I arrive"),
    an unreal condition the past. Only when the other clause has "will"/"would" (so this is a
    conditional), and not in an indirect question ("Tell me when you will come").
    """
    for i in range(s.n - 3):
        conjunction = "as soon as" if s.is_(i - 2, "as", "soon", "as") else s.word(i)
        subject, aux, verb = s.word(i + 1), s.word(i + 2), s.word(i + 3)
        if (
            conjunction not in TIME_CONJUNCTIONS | {"as soon as"}
            or subject not in SUBJECTS
            or not s.joined(i, i + 3)
            or any(s.word(m) in WHETHER_WORDS for m in range(max(0, i - 3), i))
        ):
            continue
        person = SUBJECTS[subject]
        if (
            aux == "will"
            and _elsewhere(s, i, i + 3, words("will won't 'll"))
            and not (subject == "you" and verb in WILLING)
        ):
            if verb == "be":
                new = BE_FOR[person]
            elif is_base(verb):
                new = third_person(verb) if person == "3s" else verb
            else:
                continue
            yield s.edit(
                i + 2,
                i + 3,
                new,
                "tense",
                f'After "{conjunction}", use the present tense for the future, not "will".',
                "will_in_condition",
            )
        elif conjunction == "if" and aux == "would" and subject != "you" and _elsewhere(s, i, i + 3, words("would 'd")):
            # ("if you would like..." is polite, not a mistake)
            if verb == "be":
                new = "were"
            elif is_base(verb) and verb not in COGNITIVE - {"know"}:
                new = past(verb)  # "if I would have known" -> "if I had known" too
            else:
                continue
            yield s.edit(
                i + 2, i + 3, new, "tense", 'After "if", use the past ("if I had"), not "would".', "will_in_condition"
            )


LIKING = words("prefer prefers like likes love loves miss misses hate hates enjoy enjoys")


def past_time_present_verb(s: Sentence) -> Iterator[RuleEdit]:
    """ "Yesterday I eat a croissant" -> "ate"; "When I was young, I go..." -> "went";
    "I see him last week" -> "saw"."""
    why = "This happened in the past: use the past tense."
    for i in range(s.n):
        # 1. "Yesterday I eat...": the time phrase opens the clause and the subject follows it.
        subject = i + past_time(s, i) if s.clause_start(i) and past_time(s, i) else None
        if s.word(i) == "when" and s.clause_start(i) and s.word(i + 1) in SUBJECTS and s.word(i + 2) in {"was", "were"}:
            # "When I was young(,) I go...": the next subject pronoun, with no verb on the way.
            subject = next((m for m in range(i + 3, min(s.n, i + 9)) if s.word(m) in NOMINATIVE | {"you"}), None)
            if subject is None or any(
                s.word(m) in VERB_FORMS or s.word(m) in BE_FORMS | AUXILIARIES for m in range(i + 3, subject)
            ):
                continue
        if subject is None or s.word(subject) not in SUBJECTS:
            continue
        k = subject + 1 + (s.word(subject + 1) in MID_ADVERBS)
        new = to_past(s, k, SUBJECTS[s.word(subject)]) if s.joined(subject, k) else None
        if new:
            yield s.edit(k, k, new, "tense", why, "past_time_present_verb")
    for i in range(s.n - 2):
        # 2. "I eat a croissant yesterday": subject, present verb, a few words, the time phrase ending the clause.
        if s.word(i) not in SUBJECTS or not s.clause_start(i):
            continue
        k = i + 1 + (s.word(i + 1) in MID_ADVERBS)
        new = to_past(s, k, SUBJECTS[s.word(i)]) if s.joined(i, k) else None
        marker = next_past_time(s, k + 1)
        if (
            new is None
            or marker is None
            or marker - k > 7
            or not s.joined(k, marker)
            or not s.boundary_after(marker + past_time(s, marker) - 1)
        ):
            continue
        if marker == k + 1 and s.word(k) in LIKING:
            continue  # "I prefer last year": the time is the object
        if any(
            s.word(m) in VERB_FORMS
            or s.word(m) in BE_FORMS | AUXILIARIES
            or s.word(m) in SUBJECTS
            or s.word(m) in CLAUSE_WORDS
            for m in range(k + 1, marker)
        ):
            continue  # "I need the money I lent you last week": the time belongs to another verb
        yield s.edit(k, k, new, "tense", why, "past_time_present_verb")
