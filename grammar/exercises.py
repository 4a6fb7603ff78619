"""Review exercises built deterministically from stored corrections (no language model).

An exercise builder takes review items and returns exercises in PROTOCOL.md's
ReviewSession shape. The language-model builder (grammar/exercises_llm.py, which can
also write translation exercises) is another `ExerciseBuilder`; `review_session_build`
picks one by VIRTULINGO_REVIEW_EXERCISES unless it is given one.

A deterministic exercise's id is `"<review_item_id>:<type>"`: answering rebuilds it. A
model's exercise cannot be rebuilt, so its id also carries the exercise, signed with the
secret key: `"<review_item_id>:<type>:<signed exercise>"` (stateless, any process can check
an answer to it).
"""

import random
import re
from collections.abc import Callable, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Protocol, TypedDict

from django.core import signing
from django.utils import timezone

from grammar.models import Mistake, ReviewItem
from grammar.selectors import (
    mistake_forms_by_category,
    mistake_top_categories,
    review_item_get,
    review_items_due,
    review_items_upcoming,
)
from players.models import Player
from vocabulary.taxonomy import MistakeCategory

BLANK = "___"
TOP_CATEGORY_COUNT = 3
MIN_OPTIONS = 3
MAX_OPTIONS = 4
# Read this many candidate items per exercise wanted: repeated mistakes collapse into one
# exercise and a correction that cannot be located in its sentence yields none.
CANDIDATES_PER_EXERCISE = 3


class ExerciseType(StrEnum):
    FILL_IN_BLANK = "fill_in_blank"
    MULTIPLE_CHOICE = "multiple_choice"
    CORRECTION = "correction"
    # Written by a language model only: from the learner's native language into the one practised.
    TRANSLATION = "translation"


class Exercise(TypedDict):
    id: str
    type: str
    question: str
    instruction: str
    prompt: str
    options: list[str]
    correct_answer: str
    explanation: str


class ReviewSession(TypedDict):
    player_id: str
    top_mistake_categories: list[str]
    exercises: list[Exercise]
    generated_at: str


class ExerciseBuilder(Protocol):
    def __call__(self, *, items: Sequence[ReviewItem]) -> list[Exercise]: ...


class ExerciseNotFound(Exception):
    """The exercise id names no review item of this player in the queue, or a type it cannot have."""


Forms = dict[str, list[str]]

_INSTRUCTIONS = {
    ExerciseType.FILL_IN_BLANK: "Fill in the blank.",
    ExerciseType.MULTIPLE_CHOICE: "Choose what fits in the blank.",
    ExerciseType.CORRECTION: "Correct this sentence.",
}
# Recognition, then recall, then production: an item gets harder as the learner keeps getting it right.
_PROGRESSION = (ExerciseType.MULTIPLE_CHOICE, ExerciseType.FILL_IN_BLANK, ExerciseType.CORRECTION)
# Words learners mix up that rarely fit the same slot, so where one is right the others are
# wrong. Agreement pairs only, never tense pairs: "didn't" may fit wherever "doesn't" does.
_CONFUSABLE_GROUPS = (
    ("do", "does"),
    ("don't", "doesn't"),
    ("is", "are", "am"),
    ("isn't", "aren't"),
    ("was", "were"),
    ("wasn't", "weren't"),
    ("has", "have"),
    ("hasn't", "haven't"),
    ("a", "an"),
    ("this", "these"),
    ("that", "those"),
    ("much", "many"),
    ("in", "on", "at"),
)
_VERB_CATEGORIES = {MistakeCategory.VERB_CONJUGATION, MistakeCategory.TENSE}
# Short enough to fit a database integer whatever the client sends; a model's exercise adds its signed self.
_EXERCISE_ID = re.compile(r"(?P<item>[0-9]{1,18}):(?P<type>[a-z_]+)(?::(?P<signed>[A-Za-z0-9_.:-]+))?")
_SIGNING_SALT = "grammar.exercises.written"
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})


def exercise_answer_normalise(*, text: str) -> str:
    """Case, spacing, trailing punctuation and curly apostrophes do not make an answer wrong."""
    return " ".join(text.translate(_APOSTROPHES).split()).casefold().rstrip(".!?\u2026,;: ")


def exercise_answer_check(*, answer: str, correct_answer: str) -> bool:
    return exercise_answer_normalise(text=answer) == exercise_answer_normalise(text=correct_answer)


def exercises_build(*, items: Sequence[ReviewItem]) -> list[Exercise]:
    """One exercise per item of one player: the first type of its progression that its correction supports."""
    if not items:
        return []
    forms = mistake_forms_by_category(
        player=items[0].player, categories=sorted({item.mistake.category for item in items})
    )
    exercises = []
    for item in items:
        first = min(item.repetitions, len(_PROGRESSION) - 1)
        for exercise_type in _PROGRESSION[first:] + _PROGRESSION[:first][::-1]:
            if exercise := _BUILDERS[exercise_type](item, forms):
                exercises.append(exercise)
                break
    return exercises


def exercise_get(*, player: Player, exercise_id: str) -> tuple[ReviewItem, Exercise]:
    """The review item and exercise an answer is for: rebuilt from `"<review_item_id>:<type>"`, or
    read from the signed exercise a written (language model) exercise's id carries."""
    parsed = _EXERCISE_ID.fullmatch(exercise_id)
    if parsed is None or parsed["type"] not in set(ExerciseType):
        raise ExerciseNotFound(f"Unknown exercise {exercise_id!r}.")
    exercise_type = ExerciseType(parsed["type"])
    written = _exercise_written_read(parsed, exercise_id=exercise_id) if parsed["signed"] else None
    if written is None and exercise_type not in _BUILDERS:
        raise ExerciseNotFound(f"Unknown exercise {exercise_id!r}.")
    item = review_item_get(player=player, review_item_id=int(parsed["item"]))
    if item is None:
        raise ExerciseNotFound(f"No review item for exercise {exercise_id!r}.")
    if written is not None:
        return item, written
    forms = mistake_forms_by_category(player=player, categories=[item.mistake.category])
    exercise = _BUILDERS[exercise_type](item, forms)
    if exercise is None:
        raise ExerciseNotFound(f"Review item {item.id} has no {exercise_type} exercise.")
    return item, exercise


def exercise_written(
    *,
    item: ReviewItem,
    exercise_type: ExerciseType,
    instruction: str,
    prompt: str,
    correct_answer: str,
    explanation: str,
    options: Sequence[str] = (),
) -> Exercise:
    """An exercise that was written (by a language model) rather than built: its id carries it, signed."""
    signed = signing.dumps(
        {
            "i": item.id,
            "t": exercise_type.value,
            "n": instruction,
            "p": prompt,
            "o": list(options),
            "a": correct_answer,
            "e": explanation,
        },
        salt=_SIGNING_SALT,
        compress=True,
    )
    return _exercise_fields(
        exercise_id=f"{item.id}:{exercise_type.value}:{signed}",
        exercise_type=exercise_type,
        instruction=instruction,
        prompt=prompt,
        correct_answer=correct_answer,
        explanation=explanation,
        options=options,
    )


def _exercise_written_read(parsed: re.Match, *, exercise_id: str) -> Exercise:
    try:
        data = signing.loads(parsed["signed"], salt=_SIGNING_SALT)
    except signing.BadSignature:
        raise ExerciseNotFound(f"Unknown exercise {exercise_id!r}.") from None
    if data.get("i") != int(parsed["item"]) or data.get("t") != parsed["type"]:
        raise ExerciseNotFound(f"Unknown exercise {exercise_id!r}.")
    return _exercise_fields(
        exercise_id=exercise_id,
        exercise_type=ExerciseType(parsed["type"]),
        instruction=data["n"],
        prompt=data["p"],
        correct_answer=data["a"],
        explanation=data["e"],
        options=data["o"],
    )


def review_session_build(
    *,
    player: Player,
    now: datetime | None = None,
    max_exercises: int = 5,
    build: ExerciseBuilder | None = None,
) -> ReviewSession:
    """Exercises for the due items, topped up from the top categories' next items; written by the
    language model or built from the corrections as VIRTULINGO_REVIEW_EXERCISES says, unless `build` is given."""
    now = now or timezone.now()
    top_categories = [row["category"] for row in mistake_top_categories(player=player)[:TOP_CATEGORY_COUNT]]
    if build is None:
        from grammar.exercises_llm import review_exercise_builder

        build = review_exercise_builder(top_categories=top_categories, max_exercises=max_exercises)
    wanted = max_exercises * CANDIDATES_PER_EXERCISE
    items = review_items_due(player=player, now=now, limit=wanted)
    items += review_items_upcoming(player=player, categories=top_categories, now=now, limit=wanted - len(items))
    return ReviewSession(
        player_id=player.player_id,
        top_mistake_categories=top_categories,
        exercises=build(items=_distinct(items))[:max_exercises],
        generated_at=now.isoformat(),
    )


def _distinct(items: Sequence[ReviewItem]) -> list[ReviewItem]:
    """The first item of each distinct error: the same slip made twice is one exercise."""
    seen: set[tuple[str, str, str]] = set()
    distinct = []
    for item in items:
        key = (
            item.mistake.category,
            exercise_answer_normalise(text=item.mistake.original),
            exercise_answer_normalise(text=item.mistake.correction),
        )
        if key not in seen:
            seen.add(key)
            distinct.append(item)
    return distinct


def _fill_in_blank(item: ReviewItem, forms: Forms) -> Exercise | None:
    blanked = _blanked(item)
    if blanked is None:
        return None
    return _exercise(item, ExerciseType.FILL_IN_BLANK, prompt=blanked[0], correct_answer=blanked[1])


def _multiple_choice(item: ReviewItem, forms: Forms) -> Exercise | None:
    blanked = _blanked(item)
    if blanked is None:
        return None
    prompt, answer = blanked
    mistake = item.mistake
    candidates = [mistake.original, *_variants(answer, mistake), *forms.get(mistake.category, [])]
    options = [answer]
    seen = {exercise_answer_normalise(text=answer)}
    for candidate in candidates:
        key = exercise_answer_normalise(text=candidate)
        if key and key not in seen and len(options) < MAX_OPTIONS:
            seen.add(key)
            options.append(_case_like(candidate, answer))
    if len(options) < MIN_OPTIONS:
        return None
    # Seeded by the item so a regenerated session shows the options in the same order.
    random.Random(item.id).shuffle(options)
    return _exercise(item, ExerciseType.MULTIPLE_CHOICE, prompt=prompt, correct_answer=answer, options=options)


def _correction(item: ReviewItem, forms: Forms) -> Exercise | None:
    original = item.mistake.grammar_check.utterance
    corrected = _corrected_sentence(item)
    if not corrected or exercise_answer_check(answer=original, correct_answer=corrected):
        return None
    return _exercise(item, ExerciseType.CORRECTION, prompt=original, correct_answer=corrected)


_BUILDERS: dict[ExerciseType, Callable[[ReviewItem, Forms], Exercise | None]] = {
    ExerciseType.FILL_IN_BLANK: _fill_in_blank,
    ExerciseType.MULTIPLE_CHOICE: _multiple_choice,
    ExerciseType.CORRECTION: _correction,
}


def _exercise(
    item: ReviewItem, exercise_type: ExerciseType, *, prompt: str, correct_answer: str, options: Sequence[str] = ()
) -> Exercise:
    return _exercise_fields(
        exercise_id=f"{item.id}:{exercise_type.value}",
        exercise_type=exercise_type,
        instruction=_INSTRUCTIONS[exercise_type],
        prompt=prompt,
        correct_answer=correct_answer,
        explanation=exercise_explanation_default(mistake=item.mistake),
        options=options,
    )


def _exercise_fields(
    *,
    exercise_id: str,
    exercise_type: ExerciseType,
    instruction: str,
    prompt: str,
    correct_answer: str,
    explanation: str,
    options: Sequence[str] = (),
) -> Exercise:
    return Exercise(
        id=exercise_id,
        type=exercise_type.value,
        # The Unity client shows only `question`, so it carries the instruction too.
        question=f"{instruction}\n{prompt}",
        instruction=instruction,
        prompt=prompt,
        options=list(options),
        correct_answer=correct_answer,
        explanation=explanation,
    )


def exercise_explanation_default(*, mistake: Mistake) -> str:
    """The checker's explanation of the mistake, else what the edit was."""
    return mistake.explanation or _explanation_from_edit(mistake)


def _explanation_from_edit(mistake: Mistake) -> str:
    """For engines that give no explanation: say what the edit was."""
    if not mistake.correction:
        return f'Leave out "{mistake.original}".'
    if not mistake.original:
        return f'Add "{mistake.correction}".'
    return f'Say "{mistake.correction}", not "{mistake.original}".'


def _span_near(text: str, span: str, near: int) -> tuple[int, int] | None:
    """Where `span` occurs as whole words in `text` (any case), the occurrence closest to offset `near`."""
    if not span:
        return None
    matches = list(re.finditer(rf"(?<!\w){re.escape(span)}(?!\w)", text, re.IGNORECASE))
    if not matches:
        return None
    return min(matches, key=lambda match: abs(match.start() - near)).span()


def _corrected_sentence(item: ReviewItem) -> str:
    """The checker's corrected utterance, else the utterance with this mistake's span replaced."""
    check = item.mistake.grammar_check
    if check.corrected_utterance:
        return check.corrected_utterance
    found = _span_near(check.utterance, item.mistake.original, 0)
    if found is None:
        return ""
    return " ".join((check.utterance[: found[0]] + item.mistake.correction + check.utterance[found[1] :]).split())


def _blanked(item: ReviewItem) -> tuple[str, str] | None:
    """The corrected sentence with this mistake's correction blanked, and the blanked text."""
    mistake = item.mistake
    sentence = _corrected_sentence(item)
    # A short word such as "the" may occur twice: blank the one where the learner erred.
    erred_at = _span_near(mistake.grammar_check.utterance, mistake.original, 0)
    found = _span_near(sentence, mistake.correction, erred_at[0] if erred_at else 0)
    if found is None:
        return None
    start, end = found
    return sentence[:start] + BLANK + sentence[end:], sentence[start:end]


def _variants(span: str, mistake: Mistake) -> list[str]:
    """Simple English variants of the span's last word: its confusable group, else inflections."""
    if mistake.grammar_check.language != "en":
        return []
    head, _, word = span.rpartition(" ")
    lower = word.lower()
    forms = [form for group in _CONFUSABLE_GROUPS if lower in group for form in group if form != lower]
    if not forms and lower.isalpha():
        if mistake.category in _VERB_CATEGORIES | {MistakeCategory.NUMBER}:
            forms.append(_s_toggled(lower))
        if mistake.category in _VERB_CATEGORIES and not lower.endswith("ing"):
            base = _s_toggled(lower) if lower.endswith("s") else lower
            forms.append((base[:-1] if base.endswith("e") and not base.endswith("ee") else base) + "ing")
    return [f"{head} {form}" if head else form for form in forms]


def _s_toggled(word: str) -> str:
    """Singular <-> plural, or third person <-> base form, by the regular spelling rules."""
    if word.endswith(("ches", "shes", "sses", "xes", "oes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word + ("es" if word.endswith(("ch", "sh", "ss", "x", "o")) else "s")


def _case_like(option: str, answer: str) -> str:
    """Options start in the answer's case, so a capital letter does not give the answer away."""
    first = option[:1].upper() if answer[:1].isupper() else option[:1].lower()
    return first + option[1:]
