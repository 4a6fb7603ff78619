"""Harper (``harper-py``): the offline English grammar checker.

Its lints are mapped to the taxonomy of shared/grammar_eval/README.md and the
first suggestion of each lint is applied to give the corrected sentence.
Lints about writing rather than language (capitals, punctuation, style) are
dropped: the checked text is a speech transcript.
"""

from __future__ import annotations

import threading
from typing import Any

from .base import BaseEngine
from .errors import EngineUnavailableError
from .executor import EngineExecutor
from .interfaces import GrammarEdit, GrammarResult

IGNORED_KINDS = frozenset({"Capitalization", "Punctuation", "Formatting", "Style", "Readability", "Enhancement"})
PREPOSITIONS = frozenset(
    "about above across after against along among around at before behind below beside between by down during "
    "for from in inside into near of off on onto out over past since through to toward towards under until up "
    "upon with within without".split()
)
SEVERITY = {
    "verb_conjugation": 3,
    "tense": 3,
    "number": 2,
    "article": 2,
    "preposition": 2,
    "word_order": 3,
    "vocabulary": 2,
    "spelling": 1,
    "missing_word": 3,
    "extra_word": 2,
    "other": 1,
}


def harper_category(lint: Any) -> str:
    """The taxonomy category of one Harper lint (its kind, message and suggestions)."""
    kind = lint.lint_kind
    message = lint.message.lower()
    problem = lint.problem_text.lower().strip()
    suggestions = lint.suggestions
    first = suggestions[0] if suggestions else None
    if kind == "Spelling" or kind == "Typo":
        return "spelling"
    if "mass noun" in message:
        return "article" if problem.split(" ", 1)[0] in {"a", "an"} else "number"
    if first is not None and int(first.kind) == 2:  # INSERT_AFTER
        return "missing_word"
    if first is not None and (int(first.kind) == 1 or first.replacement_text.strip() == ""):  # REMOVE
        return "extra_word"
    if "preposition" in message or (
        problem in PREPOSITIONS and first is not None and first.replacement_text.strip().lower() in PREPOSITIONS
    ):
        return "preposition"
    if "participle" in message or "tense" in message:
        return "tense"
    if kind in {"Agreement", "Grammar"} and ("irregular" in message or "agree" in message or "verb" in message):
        return "verb_conjugation"
    if kind in {"Redundancy", "Repetition"}:
        return "extra_word"
    if kind == "Agreement":
        return "verb_conjugation"
    if kind in {"WordChoice", "Usage", "Eggcorn", "Malapropism"}:
        return "vocabulary"
    if "article" in message or "determiner" in message:
        return "article"
    return "other"


class HarperGrammar(BaseEngine):
    name = "harper"
    role = "grammar"

    def __init__(self, *, executor: EngineExecutor) -> None:
        super().__init__(executor=executor)
        self._local = threading.local()  # a Linter is not thread-safe: one per worker thread

    def supports(self, language: str) -> bool:
        return language == "en"

    def _linter(self) -> Any:
        linter = getattr(self._local, "linter", None)
        if linter is None:
            try:
                import harper
            except ImportError as exc:
                raise EngineUnavailableError(f"harper-py is not installed ({exc})") from exc
            linter = self._local.linter = harper.Linter()
        return linter

    def _load(self) -> None:
        self._linter()

    def _warmup(self) -> None:
        self.check_sync("She don't like apples.")

    def check_sync(self, utterance: str, *, language: str = "en", level: str = "A2") -> GrammarResult:
        linter = self._linter()
        text = " ".join(utterance.split())
        lints = [lint for lint in linter.lint(text, language="plaintext") if lint.lint_kind not in IGNORED_KINDS]
        edits: list[GrammarEdit] = []
        corrected = text
        # Apply from the end so that earlier spans stay valid.
        for lint in sorted(lints, key=lambda item: item.span.start, reverse=True):
            category = harper_category(lint)
            replacement = lint.problem_text
            if lint.suggestions:
                corrected = linter.apply_suggestion(corrected, lint, lint.suggestions[0])
                suggestion = lint.suggestions[0]
                replacement = (
                    lint.problem_text + suggestion.replacement_text
                    if int(suggestion.kind) == 2
                    else suggestion.replacement_text
                )
            edits.append(
                GrammarEdit(
                    original=lint.problem_text,
                    correction=replacement,
                    category=category,
                    explanation=lint.message,
                    severity=SEVERITY.get(category, 1),
                )
            )
        edits.reverse()
        return GrammarResult.from_edits(
            utterance=utterance,
            correction=" ".join(corrected.split()),
            edits=edits,
            language=language,
            engine=self.name,
        )

    async def check(self, utterance: str, *, language: str, level: str = "A2") -> GrammarResult:
        if not self.supports(language):
            return GrammarResult.unavailable(
                utterance=utterance, language=language, reason="Harper checks English only"
            )
        await self.ensure_loaded()
        return await self.executor.run(
            lambda: self.check_sync(utterance, language=language, level=level), what="Harper"
        )
