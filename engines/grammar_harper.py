"""Harper (``harper-py``): the offline English grammar checker.

Its lints are mapped to the taxonomy of shared/grammar_eval/README.md and the
first suggestion of each lint is applied to give the corrected sentence.
Lints about writing rather than language (capitals, punctuation, style) are
dropped: the checked text is a speech transcript.

Harper misses many typical learner mistakes ("Yesterday I eat", "I am agree", "people
is", "Where I can find...?"), so the hand-written rules of ``grammar_rules_en`` run
too. Rules first: where a rule edit and a Harper lint overlap, the rule's edit is kept
and the lint dropped. Each rule is a narrow pattern written for exactly the construction
it corrects, with the context to choose the right form (past or participle for "writed",
"I saw" rather than "I have seen" before "last week", "a lot of information" rather than
"many information"), where Harper's first suggestion is sometimes wrong for a learner
("writed" -> "written", "Where you live?" -> "Were you live?"). Elsewhere Harper's lints
apply as before. The engine keeps its name "harper": it is what ``VIRTULINGO_GRAMMAR``
selects and what stored results name, and the rules only make sense on top of Harper.
"""

from __future__ import annotations

import re
import threading
from typing import Any

from . import grammar_rules_en
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


def _overlaps(lint: Any, edit: grammar_rules_en.RuleEdit) -> bool:
    """The lint's span meets the rule edit's span."""
    start, end = lint.span.start, lint.span.end
    suggestion = _usable_suggestion(lint)  # the one check_sync applies, not always the first
    if suggestion is not None and int(suggestion.kind) == 2:
        # INSERT_AFTER ("can't" + " be") also concerns the next word, which starts at end + 1
        # (the text is normalised to single spaces): "can't understood" must get one edit only.
        end += 2
    return start < edit.end and edit.start < end


# "an" before a consonant: Harper's mass-noun fix turns "an advice" into "an tip".
_BAD_ARTICLE = re.compile(r"\ban [b-df-gj-np-tv-z]", re.IGNORECASE)


def _usable_suggestion(lint: Any) -> Any:
    """The first of the lint's suggestions that does not produce an article mismatch (None if none)."""
    for suggestion in lint.suggestions:
        if not _BAD_ARTICLE.search(suggestion.replacement_text):
            return suggestion
    return None


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
        rule_edits = grammar_rules_en.check(text)
        # Rules first (see the module docstring): drop the lints that overlap a rule edit.
        lints = [lint for lint in lints if not any(_overlaps(lint, edit) for edit in rule_edits)]
        changes: list[tuple[int, Any]] = [(lint.span.start, lint) for lint in lints]
        changes += [(edit.start, edit) for edit in rule_edits]
        edits: list[GrammarEdit] = []
        corrected = text
        # Apply from the end so that earlier spans stay valid.
        for _start, change in sorted(changes, key=lambda item: item[0], reverse=True):
            if isinstance(change, grammar_rules_en.RuleEdit):
                corrected = corrected[: change.start] + change.replacement + corrected[change.end :]
                edits.append(
                    GrammarEdit(
                        original=change.original,
                        correction=change.replacement,
                        category=change.category,
                        explanation=change.explanation,
                        severity=SEVERITY.get(change.category, 1),
                    )
                )
                continue
            lint = change
            category = harper_category(lint)
            replacement = lint.problem_text
            suggestion = _usable_suggestion(lint)
            if suggestion is not None:
                corrected = linter.apply_suggestion(corrected, lint, suggestion)
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

    async def check(
        self, utterance: str, *, language: str, level: str = "A2", explanation_language: str | None = None
    ) -> GrammarResult:
        if not self.supports(language):
            return GrammarResult.unavailable(
                utterance=utterance, language=language, reason="Harper checks English only"
            )
        await self.ensure_loaded()
        return await self.executor.run(
            lambda: self.check_sync(utterance, language=language, level=level), what="Harper"
        )
