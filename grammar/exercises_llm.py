"""Review exercises written by the language model in JSON mode, with the deterministic builders as fallback.

The model gets the learner's review items (due first, then the top categories' next ones) and
writes one exercise per mistake, with a new sentence that practises the same point, including
`translation` exercises (from the learner's native language), which only a model can write.
Its answer is validated strictly, exercise by exercise; what is invalid is dropped and the items
it left without an exercise get deterministic ones. No usable answer at all (an engine error,
invalid JSON, nothing valid) means the whole session is built deterministically.

VIRTULINGO_REVIEW_EXERCISES: `rules` never asks the model, `llm` always does, `auto` (default)
does unless the language model is the embedded SmolLM2-135M, whose exercises were measured to be
unusable (docs/ENGINES.md).
"""

import logging
import random
import re
from collections.abc import Sequence
from typing import Any, Literal

from asgiref.sync import async_to_sync
from django.conf import settings

from engines.errors import EngineError
from engines.interfaces import ChatMessage, LanguageModel
from engines.llm_models import packaged_model
from engines.registry import get_registry
from grammar.exercises import (
    BLANK,
    MAX_OPTIONS,
    MIN_OPTIONS,
    Exercise,
    ExerciseBuilder,
    ExerciseType,
    exercise_answer_normalise,
    exercise_explanation_default,
    exercise_written,
    exercises_build,
)
from grammar.models import ReviewItem
from vocabulary.languages import language_name

logger = logging.getLogger(__name__)

MAX_TEXT_CHARS = 300
MAX_OPTION_CHARS = 100
# Room for five exercises of a sentence or two each, in JSON.
MAX_TOKENS = 1500
_BLANKS = re.compile(r"_{3,}")

SYSTEM_PROMPT = """You write grammar review exercises for a {level} language learner whose native language is {native}.
The user lists the learner's mistakes, numbered. Write one exercise per mistake, in the order given, each with a
NEW short sentence (not the learner's own) that practises the same grammar point, in the language of that mistake.
"mistake" is the number of the mistake the exercise practises. Use different types:
- fill_in_blank: "prompt" is a sentence with ___ where the words to find are; "correct_answer" is exactly those \
words; "options" is [].
- multiple_choice: like fill_in_blank, and "options" has 3 or 4 different choices, one of them exactly \
"correct_answer".
- correction: "prompt" is a sentence with the same kind of mistake; "correct_answer" is the whole sentence \
corrected; "options" is [].{translation}
"instruction" says in {native} what to do. "explanation" is one sentence in {native} about the grammar rule.
Answer with one JSON object only."""

TRANSLATION_PROMPT = """
- translation: "prompt" is a short sentence in {native}; "correct_answer" is its translation into the language of \
the mistake, using the grammar point; "options" is []. Not for a mistake in {native}."""


def review_exercises_mode() -> Literal["llm", "rules"]:
    """Whether review exercises are written by the language model or built from the corrections."""
    configured = settings.VIRTULINGO_REVIEW_EXERCISES
    if configured in ("llm", "rules"):
        return configured
    config = get_registry().config
    # auto: the embedded SmolLM2-135M writes exercises that are wrong or unusable (measured); the
    # packaged Qwen models are not measured at this yet, so no packaged model is asked. Any other
    # model (Gemini, an OpenAI-compatible server, a GGUF of one's own) is.
    return "rules" if config.llm == "local" and packaged_model(config.llm_model) is not None else "llm"


def review_exercise_builder(*, top_categories: Sequence[str], max_exercises: int) -> ExerciseBuilder:
    if review_exercises_mode() == "rules":
        return exercises_build
    return LanguageModelExerciseBuilder(
        llm=get_registry().llm(), top_categories=top_categories, max_exercises=max_exercises
    )


class LanguageModelExerciseBuilder:
    """An ExerciseBuilder that has the language model write the exercises (see the module's docstring)."""

    def __init__(self, *, llm: LanguageModel, top_categories: Sequence[str] = (), max_exercises: int = 5) -> None:
        self.llm = llm
        self.top_categories = list(top_categories)
        self.max_exercises = max_exercises

    def __call__(self, *, items: Sequence[ReviewItem]) -> list[Exercise]:
        if not items:
            return []
        asked = list(items[: self.max_exercises])
        written = self.write(items=asked)
        covered = {item.id for item in written}
        built = {
            int(exercise["id"].split(":", 1)[0]): exercise
            for exercise in exercises_build(items=[item for item in items if item.id not in covered])
        }
        return [exercise for item in items if (exercise := written.get(item) or built.get(item.id))]

    def write(self, *, items: Sequence[ReviewItem]) -> dict[ReviewItem, Exercise]:
        """The model's valid exercises, at most one per item; empty when it failed."""
        native = items[0].player.native_language
        translation = any(item.mistake.grammar_check.language != native for item in items)
        try:
            data = async_to_sync(self.llm.complete_json)(
                self.messages(items=items, translation=translation),
                schema=exercises_schema(translation=translation),
                temperature=0.4,
                max_tokens=MAX_TOKENS,
            )
        except EngineError as exc:
            logger.warning("The language model wrote no review exercises (%s): building them from the rules", exc)
            return {}
        written, problems = exercises_from_model(data, items=items)
        if problems:
            logger.warning(
                "The language model's review exercises: %d valid, %d dropped (%s)",
                len(written),
                len(problems),
                "; ".join(problems)[:1000],
            )
        return written

    def messages(self, *, items: Sequence[ReviewItem], translation: bool) -> list[ChatMessage]:
        player = items[0].player
        native = language_name(player.native_language)
        system = SYSTEM_PROMPT.format(
            level=player.proficiency_level,
            native=native,
            translation=TRANSLATION_PROMPT.format(native=native) if translation else "",
        )
        lines = []
        if self.top_categories:
            lines.append(f"The learner's most frequent kinds of mistake: {', '.join(self.top_categories)}.")
        lines.append("Mistakes:")
        for number, item in enumerate(items, start=1):
            mistake, check = item.mistake, item.mistake.grammar_check
            corrected = check.corrected_utterance or mistake.correction
            lines.append(
                f'{number}. {language_name(check.language)}, {mistake.category}: the learner said "{check.utterance}"'
                f' instead of "{corrected}" ("{mistake.original}" should be "{mistake.correction}").'
            )
        return [ChatMessage("system", system), ChatMessage("user", "\n".join(lines))]


def exercises_schema(*, translation: bool) -> dict[str, Any]:
    """The JSON the model must write (every property required, as OpenAI's strict mode wants)."""
    types = [t.value for t in ExerciseType if translation or t is not ExerciseType.TRANSLATION]
    exercise = {
        "type": "object",
        "properties": {
            "mistake": {"type": "integer"},
            "type": {"type": "string", "enum": types},
            "instruction": {"type": "string"},
            "prompt": {"type": "string"},
            "options": {"type": "array", "items": {"type": "string"}},
            "correct_answer": {"type": "string"},
            "explanation": {"type": "string"},
        },
        "required": ["mistake", "type", "instruction", "prompt", "options", "correct_answer", "explanation"],
        "additionalProperties": False,
    }
    return {
        "type": "object",
        "properties": {"exercises": {"type": "array", "items": exercise}},
        "required": ["exercises"],
        "additionalProperties": False,
    }


def exercises_from_model(
    data: dict[str, Any], *, items: Sequence[ReviewItem]
) -> tuple[dict[ReviewItem, Exercise], list[str]]:
    """The valid exercises of the model's JSON (the first per item) and why each other one was dropped."""
    raw_exercises = data.get("exercises") if isinstance(data, dict) else None
    if not isinstance(raw_exercises, list):
        return {}, ['no "exercises" list']
    written: dict[ReviewItem, Exercise] = {}
    problems: list[str] = []
    for index, raw in enumerate(raw_exercises, start=1):
        try:
            item, exercise = _exercise_from_model(raw, items=items)
        except _Invalid as exc:
            problems.append(f"exercise {index}: {exc}")
            continue
        if item in written:
            problems.append(f"exercise {index}: a second exercise for mistake {items.index(item) + 1}")
            continue
        written[item] = exercise
    return written, problems


class _Invalid(Exception):
    pass


def _text(raw: dict, key: str, *, limit: int = MAX_TEXT_CHARS, blank: bool = False) -> str:
    value = raw.get(key)
    if not isinstance(value, str):
        raise _Invalid(f"{key} is not a string")
    value = " ".join(value.split())
    if not value and not blank:
        raise _Invalid(f"{key} is empty")
    if len(value) > limit:
        raise _Invalid(f"{key} is longer than {limit} characters")
    return value


def _exercise_from_model(raw: Any, *, items: Sequence[ReviewItem]) -> tuple[ReviewItem, Exercise]:
    if not isinstance(raw, dict):
        raise _Invalid("not an object")
    number = raw.get("mistake")
    if not isinstance(number, int) or isinstance(number, bool) or not 1 <= number <= len(items):
        raise _Invalid(f"mistake {number!r} is not one of 1-{len(items)}")
    item = items[number - 1]
    try:
        exercise_type = ExerciseType(raw.get("type"))
    except ValueError:
        raise _Invalid(f"unknown type {raw.get('type')!r}") from None
    instruction = _text(raw, "instruction")
    prompt = _BLANKS.sub(BLANK, _text(raw, "prompt"))
    correct_answer = _text(raw, "correct_answer")
    explanation = _text(raw, "explanation", limit=2 * MAX_TEXT_CHARS, blank=True)
    explanation = explanation or exercise_explanation_default(mistake=item.mistake)
    options = raw.get("options")
    if not isinstance(options, list) or not all(isinstance(option, str) for option in options):
        raise _Invalid("options is not a list of strings")
    options = [" ".join(option.split()) for option in options]
    if BLANK in correct_answer:
        raise _Invalid("the answer has a blank")

    if exercise_type in (ExerciseType.FILL_IN_BLANK, ExerciseType.MULTIPLE_CHOICE):
        if prompt.count(BLANK) != 1:
            raise _Invalid(f"a {exercise_type} prompt needs exactly one blank ({BLANK})")
    elif BLANK in prompt:
        raise _Invalid(f"a {exercise_type} prompt has a blank")
    if exercise_type is ExerciseType.MULTIPLE_CHOICE:
        _check_options(options, correct_answer=correct_answer)
        # The model tends to put the answer first; seeded so a regenerated session keeps the order.
        random.Random(item.id).shuffle(options)
    elif options:
        raise _Invalid(f"a {exercise_type} exercise has options")
    if exercise_type in (ExerciseType.CORRECTION, ExerciseType.TRANSLATION) and (
        exercise_answer_normalise(text=prompt) == exercise_answer_normalise(text=correct_answer)
    ):
        raise _Invalid(f"a {exercise_type} answer is the prompt itself")
    if exercise_type is ExerciseType.TRANSLATION and (
        item.mistake.grammar_check.language == item.player.native_language
    ):
        raise _Invalid("a translation within the learner's native language")
    exercise = exercise_written(
        item=item,
        exercise_type=exercise_type,
        instruction=instruction,
        prompt=prompt,
        correct_answer=correct_answer,
        explanation=explanation,
        options=options,
    )
    return item, exercise


def _check_options(options: list[str], *, correct_answer: str) -> None:
    if not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
        raise _Invalid(f"a multiple_choice exercise needs {MIN_OPTIONS}-{MAX_OPTIONS} options, not {len(options)}")
    if any(not option or len(option) > MAX_OPTION_CHARS for option in options):
        raise _Invalid("an option is empty or too long")
    keys = [exercise_answer_normalise(text=option) for option in options]
    if len(set(keys)) != len(keys):
        raise _Invalid("two options are the same")
    if keys.count(exercise_answer_normalise(text=correct_answer)) != 1:
        raise _Invalid("the options do not contain the answer")
