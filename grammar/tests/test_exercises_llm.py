"""Review exercises written by a language model (a test double here), with the rules as fallback."""

import dataclasses
import json
import logging
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from engines.config import EngineConfig
from engines.errors import EngineResponseError
from engines.registry import EngineRegistry, get_registry
from grammar import exercises_llm
from grammar.exercises import BLANK, ExerciseNotFound, exercise_get, exercises_build, review_session_build
from grammar.exercises_llm import LanguageModelExerciseBuilder, exercises_schema, review_exercises_mode
from grammar.tests.factories import MistakeFactory, ReviewItemFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
PROJECT_ROOT = Path(__file__).resolve().parents[2]


class JsonLanguageModel:
    """Test double: answers complete_json with the given object (or raises the given error) and records the call."""

    name = "json-double"
    state = "ready"
    reason = ""

    def __init__(self, answer: dict | Exception) -> None:
        self.answer = answer
        self.calls: list[dict] = []

    async def warmup(self) -> None:
        return None

    async def stream(self, messages, *, temperature: float = 0.8, max_tokens: int = 200):
        raise AssertionError("exercises are written in JSON mode")
        yield ""

    async def complete_json(self, messages, *, schema, temperature: float = 0.2, max_tokens: int = 400) -> dict:
        self.calls.append({"messages": list(messages), "schema": schema})
        if isinstance(self.answer, Exception):
            raise self.answer
        return json.loads(json.dumps(self.answer))


@pytest.fixture
def use_model(monkeypatch, settings):
    """Exercises from the language model, which is the given test double."""
    settings.VIRTULINGO_REVIEW_EXERCISES = "llm"

    def install(model: JsonLanguageModel) -> JsonLanguageModel:
        monkeypatch.setattr(get_registry(), "llm", lambda name=None: model)
        return model

    return install


def _item(player, *, utterance, corrected, original, correction, category="verb_conjugation", due_at=NOW):
    mistake = MistakeFactory(
        grammar_check__turn__conversation__player=player,
        grammar_check__utterance=utterance,
        grammar_check__corrected_utterance=corrected,
        original=original,
        correction=correction,
        category=category,
    )
    return ReviewItemFactory(mistake=mistake, due_at=due_at)


@pytest.fixture
def items(player):
    """Three due items of a Spanish speaker learning English (PlayerFactory's default)."""
    return [
        _item(
            player,
            utterance="She don't like apples.",
            corrected="She doesn't like apples.",
            original="don't",
            correction="doesn't",
            due_at=NOW.replace(hour=9),
        ),
        _item(
            player,
            utterance="I goed home.",
            corrected="I went home.",
            original="goed",
            correction="went",
            due_at=NOW.replace(hour=10),
        ),
        _item(
            player,
            utterance="He is good in football.",
            corrected="He is good at football.",
            original="in",
            correction="at",
            category="preposition",
            due_at=NOW.replace(hour=11),
        ),
    ]


TRANSLATION = {
    "mistake": 1,
    "type": "translation",
    "instruction": "Traduce al inglés.",
    "prompt": "A mi hermano no le gusta el té.",
    "options": [],
    "correct_answer": "My brother doesn't like tea.",
    "explanation": "Con he/she/it se usa doesn't.",
}
MULTIPLE_CHOICE = {
    "mistake": 2,
    "type": "multiple_choice",
    "instruction": "Elige la forma correcta.",
    "prompt": "Yesterday we ___ to the park.",
    "options": ["went", "goed", "go", "gone"],
    "correct_answer": "went",
    "explanation": "Go es irregular: el pasado es went.",
}
FILL_IN_BLANK = {
    "mistake": 3,
    "type": "fill_in_blank",
    "instruction": "Completa la frase.",
    "prompt": "She is bad ____ maths.",
    "options": [],
    "correct_answer": "at",
    "explanation": "",
}


def _session(player):
    return review_session_build(player=player, now=NOW)


def test_valid_model_exercises_are_used_with_signed_ids_and_the_unity_fields(player, items, use_model):
    model = use_model(JsonLanguageModel({"exercises": [TRANSLATION, MULTIPLE_CHOICE, FILL_IN_BLANK]}))

    exercises = _session(player)["exercises"]

    assert [e["type"] for e in exercises] == ["translation", "multiple_choice", "fill_in_blank"]
    translation, choice, blank = exercises
    assert translation["question"] == "Traduce al inglés.\nA mi hermano no le gusta el té."
    assert translation["correct_answer"] == "My brother doesn't like tea." and translation["options"] == []
    assert translation["id"].startswith(f"{items[0].id}:translation:")
    assert sorted(choice["options"]) == ["go", "goed", "gone", "went"] and choice["correct_answer"] == "went"
    # Any run of underscores is the protocol's blank; an empty explanation is the mistake's own.
    assert blank["prompt"] == f"She is bad {BLANK} maths." and blank["explanation"] == "With she, use doesn't."
    # What the model was told: the mistakes, numbered, the learner's native language, the top categories.
    system, user = model.calls[0]["messages"]
    assert "native language is Spanish" in system.content and "translation" in system.content
    assert '1. English, verb_conjugation: the learner said "She don\'t like apples."' in user.content
    assert "3. English, preposition" in user.content
    assert "most frequent kinds of mistake: verb_conjugation, preposition" in user.content
    assert model.calls[0]["schema"] == exercises_schema(translation=True)


def test_invalid_json_falls_back_to_the_rules(player, items, use_model):
    use_model(JsonLanguageModel(EngineResponseError("the model did not return valid JSON (Expecting value)")))

    session = _session(player)

    assert len(session["exercises"]) == 3 and session["exercises"] == exercises_build(items=items)
    assert all(e["id"].count(":") == 1 and e["type"] != "translation" for e in session["exercises"])


@pytest.mark.parametrize("answer", [{}, {"exercises": "none"}, {"exercises": [None, 3]}])
def test_json_without_a_usable_exercise_falls_back_to_the_rules(player, items, use_model, answer):
    use_model(JsonLanguageModel(answer))
    assert _session(player)["exercises"] == exercises_build(items=items)


@pytest.mark.parametrize(
    ("broken", "reason"),
    [
        ({**MULTIPLE_CHOICE, "options": ["goes", "goed", "go"]}, "do not contain the answer"),
        ({**MULTIPLE_CHOICE, "options": ["went", "goed"]}, "needs 3-4 options"),
        ({**MULTIPLE_CHOICE, "options": ["went", "Went.", "go"]}, "two options are the same"),
        ({**MULTIPLE_CHOICE, "prompt": "Yesterday we went to the park."}, "exactly one blank"),
        ({**MULTIPLE_CHOICE, "instruction": "  "}, "instruction is empty"),
        ({**MULTIPLE_CHOICE, "correct_answer": ""}, "correct_answer is empty"),
        ({**MULTIPLE_CHOICE, "type": "matching"}, "unknown type"),
        ({**MULTIPLE_CHOICE, "mistake": 7}, "not one of 1-3"),
        ({**MULTIPLE_CHOICE, "mistake": True}, "not one of 1-3"),
        ({**MULTIPLE_CHOICE, "type": "correction", "prompt": "We goed.", "correct_answer": "We went."}, "has options"),
        (
            {**MULTIPLE_CHOICE, "type": "correction", "options": [], "prompt": "We went.", "correct_answer": "we went"},
            "the prompt itself",
        ),
        ({key: value for key, value in MULTIPLE_CHOICE.items() if key != "prompt"}, "prompt is not a string"),
    ],
)
def test_invalid_exercises_are_dropped_and_their_items_get_rule_exercises(
    player, items, use_model, caplog, broken, reason
):
    use_model(JsonLanguageModel({"exercises": [TRANSLATION, broken, FILL_IN_BLANK]}))

    with caplog.at_level(logging.WARNING, logger="grammar.exercises_llm"):
        exercises = _session(player)["exercises"]

    rules_for_second = exercises_build(items=[items[1]])
    assert [e["id"].split(":")[:2] for e in exercises] == [
        [str(items[0].id), "translation"],
        rules_for_second[0]["id"].split(":"),
        [str(items[2].id), "fill_in_blank"],
    ]
    assert exercises[1] == rules_for_second[0]
    assert reason in caplog.text and "2 valid, 1 dropped" in caplog.text


def test_a_second_exercise_for_the_same_mistake_is_dropped(player, items, use_model):
    use_model(JsonLanguageModel({"exercises": [TRANSLATION, {**TRANSLATION, "prompt": "Ella no come carne."}]}))
    exercises = _session(player)["exercises"]
    assert [e["prompt"] for e in exercises if e["type"] == "translation"] == ["A mi hermano no le gusta el té."]
    assert len(exercises) == 3


def test_no_translation_for_a_learner_practising_their_native_language(player, items, use_model):
    player.native_language = "en"
    player.save()
    model = use_model(JsonLanguageModel({"exercises": [TRANSLATION, MULTIPLE_CHOICE]}))

    exercises = _session(player)["exercises"]

    assert "translation" not in [e["type"] for e in exercises]
    assert model.calls[0]["schema"] == exercises_schema(translation=False)
    assert (
        "translation" not in model.calls[0]["schema"]["properties"]["exercises"]["items"]["properties"]["type"]["enum"]
    )
    assert "translation" not in model.calls[0]["messages"][0].content


def test_the_model_is_asked_about_at_most_the_session_size(player, use_model):
    many = [
        _item(
            player,
            utterance=f"She don't like {fruit}.",
            corrected=f"She doesn't like {fruit}.",
            original="don't",
            correction="doesn't",
            category=category,
        )
        for fruit, category in [("apples", "verb_conjugation"), ("pears", "tense"), ("plums", "article")]
    ]
    model = use_model(JsonLanguageModel({"exercises": []}))

    exercises = LanguageModelExerciseBuilder(llm=model, max_exercises=2)(items=many)

    assert "1. English" in model.calls[0]["messages"][1].content
    assert "3. English" not in model.calls[0]["messages"][1].content
    assert len(exercises) == 3  # the rules still cover every item


def test_the_rules_setting_never_asks_the_model(player, items, use_model, settings):
    model = use_model(JsonLanguageModel(AssertionError("the model was asked")))
    settings.VIRTULINGO_REVIEW_EXERCISES = "rules"
    assert _session(player)["exercises"] == exercises_build(items=items)
    assert model.calls == []


@pytest.mark.parametrize(
    ("setting", "engines", "mode"),
    [
        ("auto", {}, "rules"),  # the default packaged model
        ("auto", {"llm_model": "smollm2-135m"}, "rules"),
        ("auto", {"llm_model": "/models/qwen2.5-7b-instruct-q4_k_m.gguf"}, "llm"),
        ("auto", {"llm": "gemini"}, "llm"),
        ("auto", {"llm": "openai"}, "llm"),
        ("llm", {}, "llm"),
        ("rules", {"llm": "gemini"}, "rules"),
    ],
)
def test_which_model_is_capable_enough(monkeypatch, settings, setting, engines, mode):
    settings.VIRTULINGO_REVIEW_EXERCISES = setting
    registry = EngineRegistry(dataclasses.replace(EngineConfig(), **engines))
    monkeypatch.setattr(exercises_llm, "get_registry", lambda: registry)
    assert review_exercises_mode() == mode
    registry.shutdown()


def test_generate_returns_the_models_translation_exercise_and_answering_it_reschedules(player, items, use_model):
    use_model(JsonLanguageModel({"exercises": [TRANSLATION]}))
    client = APIClient()

    session = client.post(f"/api/review/{player.player_id}/generate").json()

    translation = session["exercises"][0]
    assert translation["type"] == "translation" and translation["question"].endswith("no le gusta el té.")
    assert translation["correct_answer"] == "My brother doesn't like tea."
    answer = client.post(
        f"/api/review/{player.player_id}/answer",
        {"exercise_id": translation["id"], "answer": "my brother doesn’t like tea"},
        format="json",
    )
    assert answer.status_code == 200, answer.json()
    assert answer.json()["correct"] is True and answer.json()["correct_answer"] == "My brother doesn't like tea."
    assert answer.json()["explanation"] == "Con he/she/it se usa doesn't."
    items[0].refresh_from_db()
    assert items[0].repetitions == 1 and items[0].last_reviewed_at is not None


def test_a_tampered_or_moved_written_exercise_id_is_not_found(player, items, use_model):
    use_model(JsonLanguageModel({"exercises": [TRANSLATION]}))
    exercise_id = _session(player)["exercises"][0]["id"]
    item_id, kind, signed = exercise_id.split(":", 2)

    assert exercise_get(player=player, exercise_id=exercise_id)[1]["correct_answer"] == "My brother doesn't like tea."
    for forged in (
        f"{item_id}:{kind}:{signed[:-2]}xx",
        f"{items[1].id}:{kind}:{signed}",
        f"{item_id}:correction:{signed}",
        f"{item_id}:translation",
    ):
        with pytest.raises(ExerciseNotFound):
            exercise_get(player=player, exercise_id=forged)
    response = APIClient().post(
        f"/api/review/{player.player_id}/answer",
        {"exercise_id": f"{item_id}:{kind}:{signed[:-2]}xx", "answer": "x"},
        format="json",
    )
    assert response.status_code == 404 and response.json()["code"] == "not_found"


@pytest.mark.parametrize(("value", "expected"), [("", "auto"), ("LLM", "llm"), (" rules ", "rules")])
def test_the_setting_is_read_from_the_environment(value, expected):
    result = _load_settings(VIRTULINGO_REVIEW_EXERCISES=value)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


def test_a_misspelt_setting_is_a_clear_error():
    result = _load_settings(VIRTULINGO_REVIEW_EXERCISES="gpt")
    assert result.returncode != 0
    assert "VIRTULINGO_REVIEW_EXERCISES must be auto, llm or rules, not 'gpt'" in result.stderr


def _load_settings(**variables: str) -> subprocess.CompletedProcess:
    code = "import django; from django.conf import settings as s; django.setup(); print(s.VIRTULINGO_REVIEW_EXERCISES)"
    env = {**os.environ, **variables, "DJANGO_SETTINGS_MODULE": "virtulingo.settings"}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=60
    )
