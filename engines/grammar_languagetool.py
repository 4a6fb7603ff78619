"""A LanguageTool server (``LANGUAGETOOL_URL``) through its HTTP ``/v2/check`` API."""

from __future__ import annotations

from typing import Any

import httpx

from .base import BaseEngine
from .errors import EngineConfigurationError, EngineResponseError
from .executor import EngineExecutor
from .interfaces import GrammarEdit, GrammarResult
from .llm_common import status_error, translate_transport_error

# LanguageTool wants a variant for some languages ("en" alone is refused for spelling).
LT_LANGUAGE = {"en": "en-US", "de": "de-DE", "pt": "pt-PT", "nl": "nl-NL"}
LT_LANGUAGES = frozenset(
    {
        "en",
        "de",
        "fr",
        "es",
        "it",
        "pt",
        "nl",
        "pl",
        "ru",
        "uk",
        "ca",
        "sv",
        "da",
        "ja",
        "zh",
        "ga",
        "gl",
        "el",
        "ro",
        "sk",
        "sl",
        "ta",
        "tl",
        "ar",
        "fa",
        "be",
        "br",
        "eo",
        "km",
        "ast",
    }
)


def languagetool_category(match: dict[str, Any]) -> str:
    rule = match.get("rule") or {}
    issue = (rule.get("issueType") or "").lower()
    category = ((rule.get("category") or {}).get("id") or "").upper()
    rule_id = (rule.get("id") or "").upper()
    message = (match.get("message") or "").lower()
    if issue == "misspelling" or category == "TYPOS":
        return "spelling"
    if "PREP" in rule_id or "preposition" in message:
        return "preposition"
    if any(key in rule_id for key in ("AGREEMENT", "AGREEMEN", "CONCORD", "SVA", "VERB_FORM", "CONJUG")):
        return "gender_agreement" if "gender" in message or "genre" in message else "verb_conjugation"
    if "TENSE" in rule_id or "tense" in message:
        return "tense"
    if "ARTICLE" in rule_id or "DET" in rule_id or "article" in message or "determiner" in message:
        return "article"
    if "PLURAL" in rule_id or "plural" in message or "singular" in message:
        return "number"
    if "ORDER" in rule_id or "word order" in message:
        return "word_order"
    if "DUPLICATION" in rule_id or "REPETITION" in rule_id or category == "REDUNDANCY":
        return "extra_word"
    if category in {"CONFUSED_WORDS", "FALSE_FRIENDS", "SEMANTICS"}:
        return "vocabulary"
    if category == "GRAMMAR":
        return "verb_conjugation" if "verb" in message else "other"
    return "other"


IGNORED_CATEGORIES = frozenset({"CASING", "PUNCTUATION", "TYPOGRAPHY", "STYLE", "REDUNDANCY_STYLE"})
SEVERITY = {"spelling": 1, "verb_conjugation": 3, "tense": 3, "gender_agreement": 2, "word_order": 3}


class LanguageToolGrammar(BaseEngine):
    name = "languagetool"
    role = "grammar"

    def __init__(self, *, executor: EngineExecutor, url: str, timeout: float = 10.0) -> None:
        super().__init__(executor=executor)
        self.url = url.rstrip("/")
        self.timeout = timeout
        if not url:
            self._state, self._reason = "unavailable", "LANGUAGETOOL_URL is not set"

    def describe(self) -> dict[str, object]:
        return {"url": self.url}

    def supports(self, language: str) -> bool:
        return language in LT_LANGUAGES

    def _load(self) -> None:
        if not self.url:
            raise EngineConfigurationError("the LanguageTool engine needs LANGUAGETOOL_URL")

    async def ensure_loaded(self) -> None:
        if self._state != "ready":
            self.load()

    async def warmup(self) -> None:
        await self.ensure_loaded()

    def _endpoint(self) -> str:
        return self.url if self.url.endswith("/v2/check") else f"{self.url}/v2/check"

    async def check(
        self, utterance: str, *, language: str, level: str = "A2", explanation_language: str | None = None
    ) -> GrammarResult:
        """LanguageTool writes its messages in the checked language, whatever ``explanation_language``
        asks (the result says so); that language, the learner's native one, is sent as
        ``motherTongue``, which turns on LanguageTool's false-friend rules for the pair."""
        await self.ensure_loaded()
        text = " ".join(utterance.split())
        form = {"text": text, "language": LT_LANGUAGE.get(language, language)}
        if explanation_language and explanation_language != language:
            form["motherTongue"] = explanation_language
        try:
            async with httpx.AsyncClient(timeout=self.timeout) as client:
                response = await client.post(self._endpoint(), data=form)
        except httpx.HTTPError as exc:
            raise (
                translate_transport_error(exc, engine="LanguageTool", url=self.url)
                or EngineResponseError(f"LanguageTool request failed ({exc})")
            ) from exc
        if response.status_code != 200:
            raise status_error("LanguageTool", response.status_code, response.text[:200])
        try:
            matches = response.json()["matches"]
        except (ValueError, KeyError, TypeError):
            raise EngineResponseError("LanguageTool answered something that is not its /v2/check JSON") from None
        return self.result(text, matches, utterance=utterance, language=language)

    def result(self, text: str, matches: list[dict[str, Any]], *, utterance: str, language: str) -> GrammarResult:
        edits: list[GrammarEdit] = []
        corrected = text
        for match in sorted(matches, key=lambda m: m.get("offset", 0), reverse=True):
            rule_category = (((match.get("rule") or {}).get("category") or {}).get("id") or "").upper()
            if rule_category in IGNORED_CATEGORIES:
                continue
            offset, length = int(match.get("offset", 0)), int(match.get("length", 0))
            original = text[offset : offset + length]
            replacements = match.get("replacements") or []
            replacement = replacements[0].get("value", original) if replacements else original
            corrected = corrected[:offset] + replacement + corrected[offset + length :]
            category = languagetool_category(match)
            edits.append(
                GrammarEdit(
                    original=original,
                    correction=replacement,
                    category=category,
                    explanation=match.get("message") or match.get("shortMessage") or "",
                    severity=SEVERITY.get(category, 2),
                )
            )
        edits.reverse()
        return GrammarResult.from_edits(
            utterance=utterance,
            correction=" ".join(corrected.split()),
            edits=edits,
            language=language,
            engine=self.name,
            # Rule messages are written in the language of the text.
            explanation_language=language,
        )
