"""Grammar explanations in the learner's native language: asked of a language model, templates otherwise."""

from __future__ import annotations

import dataclasses

import pytest

from engines.config import EngineConfig
from engines.executor import EngineExecutor
from engines.grammar_languagetool import LanguageToolGrammar
from engines.grammar_llm import LLMGrammar
from engines.registry import EngineRegistry

from .fake_server import Reply, languagetool_a_accent_match

pytestmark = pytest.mark.asyncio

FRENCH_EXPLANATION = "Avec « she », le verbe prend -s : « doesn't »."
MODEL_ANSWER = {
    "mistake_found": True,
    "correction": "She doesn't like apples.",
    "edits": [
        {
            "original": "don't",
            "correction": "doesn't",
            "category": "verb_conjugation",
            "explanation": FRENCH_EXPLANATION,
            "severity": 3,
        }
    ],
}


class RecordingLanguageModel:
    """Test double: answers complete_json with MODEL_ANSWER and records the messages."""

    name = "recording"
    state = "ready"
    reason = ""

    def __init__(self) -> None:
        self.messages: list = []

    async def warmup(self) -> None:
        return None

    async def complete_json(self, messages, *, schema, temperature: float = 0.2, max_tokens: int = 400) -> dict:
        self.messages = list(messages)
        return MODEL_ANSWER


def registry(monkeypatch=None, llm=None, **changes) -> EngineRegistry:
    reg = EngineRegistry(dataclasses.replace(EngineConfig(), **changes))
    if llm is not None:
        monkeypatch.setattr(reg, "llm", lambda name=None: llm)
    return reg


async def test_the_language_model_is_asked_for_explanations_in_the_native_language() -> None:
    model = RecordingLanguageModel()
    checker = LLMGrammar(executor=EngineExecutor(workers=1, timeout=5), llm=model)

    result = await checker.check("She don't like apples.", language="en", explanation_language="fr")

    assert "a one-sentence explanation in French for the learner" in model.messages[0].content
    assert "A2 learner of English" in model.messages[0].content
    assert result.explanation == FRENCH_EXPLANATION and result.explanation_language == "fr"


async def test_without_a_language_the_model_explains_in_english() -> None:
    model = RecordingLanguageModel()
    result = await LLMGrammar(executor=EngineExecutor(workers=1, timeout=5), llm=model).check(
        "She don't like apples.", language="en"
    )
    assert "explanation in English" in model.messages[0].content and result.explanation_language == "en"


async def test_the_registry_keeps_what_the_model_wrote_in_the_native_language(monkeypatch) -> None:
    reg = registry(monkeypatch, llm=RecordingLanguageModel(), grammar={"*": "llm"})
    result = await reg.check_grammar("She don't like apples.", language="en", explanation_language="fr")
    assert result.explanation == result.edits[0].explanation == FRENCH_EXPLANATION
    reg.shutdown()


async def test_languagetool_says_its_messages_are_in_the_texts_language_and_gets_the_mother_tongue(
    fake_server,
) -> None:
    fake_server.script(Reply(body={"matches": [languagetool_a_accent_match()]}))
    checker = LanguageToolGrammar(executor=EngineExecutor(workers=1, timeout=5), url=fake_server.url)

    result = await checker.check("Je suis allé a la plage.", language="fr", explanation_language="en")

    assert result.explanation_language == "fr" and result.explanation.startswith("Confusion possible")
    assert fake_server.requests[0].form() == {
        "text": "Je suis allé a la plage.",
        "language": "fr",
        "motherTongue": "en",
    }
