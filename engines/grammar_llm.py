"""Grammar checking with a language model in JSON mode (any of the three engines)."""

from __future__ import annotations

from typing import Any

from vocabulary.languages import language_name

from .base import BaseEngine
from .errors import EngineResponseError
from .executor import EngineExecutor
from .interfaces import GRAMMAR_CATEGORIES, ChatMessage, GrammarEdit, GrammarResult, LanguageModel

GRAMMAR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "mistake_found": {"type": "boolean"},
        "correction": {"type": "string", "description": "the whole utterance, corrected"},
        "edits": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "original": {"type": "string"},
                    "correction": {"type": "string"},
                    "category": {"type": "string", "enum": list(GRAMMAR_CATEGORIES)},
                    "explanation": {"type": "string"},
                    "severity": {"type": "integer", "minimum": 1, "maximum": 5},
                },
                "required": ["original", "correction", "category", "explanation", "severity"],
                "additionalProperties": False,
            },
        },
    },
    "required": ["mistake_found", "correction", "edits"],
    "additionalProperties": False,
}

SYSTEM_PROMPT = """You check the grammar of one spoken utterance by a {level} learner of {language}.
It is a speech transcript: ignore capital letters and punctuation.
Report only real mistakes a teacher would correct; a correct utterance has mistake_found false and no edits.
For each mistake give the wrong words, their correction, a category from: {categories},
a one-sentence explanation in {explanation_language} for the learner, and a severity from 1 (minor) to 5 (meaning lost).
"correction" is the whole utterance with every mistake corrected and nothing else changed.
Answer with one JSON object only."""


def result_from_json(
    data: dict[str, Any], *, utterance: str, language: str, engine: str, explanation_language: str = "en"
) -> GrammarResult:
    """A typed result from the model's JSON; unknown categories become "other", severities are clamped."""
    if not isinstance(data.get("mistake_found"), bool):
        raise EngineResponseError(f"{engine} answered without a boolean mistake_found")
    edits: list[GrammarEdit] = []
    for item in data.get("edits") or []:
        if not isinstance(item, dict):
            continue
        category = str(item["category"]) if item.get("category") in GRAMMAR_CATEGORIES else "other"
        try:
            severity = min(5, max(1, int(item.get("severity", 2))))
        except (TypeError, ValueError):
            severity = 2
        edits.append(
            GrammarEdit(
                original=str(item.get("original", "")),
                correction=str(item.get("correction", "")),
                category=category,
                explanation=str(item.get("explanation", "")),
                severity=severity,
            )
        )
    correction = str(data.get("correction") or utterance).strip()
    if not data["mistake_found"] or (not edits and correction == utterance.strip()):
        edits = []
    elif not edits:
        edits = [GrammarEdit(original=utterance, correction=correction, category="other", explanation="", severity=2)]
    return GrammarResult.from_edits(
        utterance=utterance,
        correction=correction,
        edits=edits,
        language=language,
        engine=engine,
        explanation_language=explanation_language,
    )


class LLMGrammar(BaseEngine):
    name = "llm"
    role = "grammar"

    def __init__(self, *, executor: EngineExecutor, llm: LanguageModel) -> None:
        super().__init__(executor=executor)
        self.llm = llm
        self.name = f"llm:{llm.name}"

    @property
    def state(self):  # type: ignore[override]
        return self.llm.state

    @property
    def reason(self) -> str:
        return self.llm.reason

    def supports(self, language: str) -> bool:
        return True

    async def warmup(self) -> None:
        await self.llm.warmup()

    def messages(
        self, utterance: str, *, language: str, level: str, explanation_language: str = "en"
    ) -> list[ChatMessage]:
        system = SYSTEM_PROMPT.format(
            level=level,
            language=language_name(language),
            categories=", ".join(GRAMMAR_CATEGORIES),
            explanation_language=language_name(explanation_language),
        )
        return [ChatMessage("system", system), ChatMessage("user", utterance)]

    async def check(
        self, utterance: str, *, language: str, level: str = "A2", explanation_language: str | None = None
    ) -> GrammarResult:
        """Explanations in ``explanation_language`` (the learner's native language), English by default."""
        explanation_language = explanation_language or "en"
        data = await self.llm.complete_json(
            self.messages(utterance, language=language, level=level, explanation_language=explanation_language),
            schema=GRAMMAR_SCHEMA,
            temperature=0.2,
        )
        return result_from_json(
            data, utterance=utterance, language=language, engine=self.name, explanation_language=explanation_language
        )
