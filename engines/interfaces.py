"""The small typed interfaces every engine implements, and the values they exchange.

The async methods are what the product uses; CPU work behind them runs in the
engines' own executor (see ``executor.py``), never on the event loop.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

from vocabulary.taxonomy import MistakeCategory

# The fixed taxonomy of shared/grammar_eval/README.md, defined once in vocabulary/taxonomy.py.
GRAMMAR_CATEGORIES: tuple[str, ...] = tuple(MistakeCategory.values)

EngineState = Literal["not_loaded", "loading", "ready", "failed", "unavailable"]


# --- values --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WordTiming:
    word: str
    start: float
    end: float
    probability: float


@dataclass(frozen=True, slots=True)
class Transcript:
    text: str
    language: str
    audio_seconds: float
    # Per-word timings and confidences: only when asked for (pronunciation feedback).
    words: tuple[WordTiming, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.text.strip()


@dataclass(frozen=True, slots=True)
class Audio:
    """Mono little-endian PCM16 samples and their rate."""

    pcm: bytes
    sample_rate: int

    @property
    def seconds(self) -> float:
        return len(self.pcm) / 2 / self.sample_rate


@dataclass(frozen=True, slots=True)
class ChatMessage:
    role: Literal["system", "user", "assistant"]
    content: str


@dataclass(frozen=True, slots=True)
class GrammarEdit:
    original: str
    correction: str
    category: str
    explanation: str
    severity: int


@dataclass(frozen=True, slots=True)
class GrammarResult:
    """One checked utterance. ``status`` is "unavailable" when no capable engine covers the language."""

    status: Literal["ok", "unavailable"]
    mistake_found: bool
    original: str
    correction: str
    category: str | None = None
    explanation: str = ""
    severity: int = 0
    edits: tuple[GrammarEdit, ...] = ()
    language: str = ""
    engine: str = ""
    reason: str = ""
    # The language the explanations are written in (Harper's messages are English).
    explanation_language: str = "en"

    @classmethod
    def unavailable(cls, *, utterance: str, language: str, reason: str) -> GrammarResult:
        return cls(
            status="unavailable",
            mistake_found=False,
            original=utterance,
            correction=utterance,
            language=language,
            reason=reason,
        )

    @classmethod
    def from_edits(
        cls,
        *,
        utterance: str,
        correction: str,
        edits: Sequence[GrammarEdit],
        language: str,
        engine: str,
        explanation_language: str = "en",
    ) -> GrammarResult:
        """The headline category/severity/explanation are those of the most severe edit."""
        if not edits:
            return cls(
                status="ok",
                mistake_found=False,
                original=utterance,
                correction=utterance,
                language=language,
                engine=engine,
                explanation_language=explanation_language,
            )
        worst = max(edits, key=lambda e: e.severity)
        return cls(
            status="ok",
            mistake_found=True,
            original=utterance,
            correction=correction,
            category=worst.category,
            explanation=worst.explanation,
            severity=worst.severity,
            edits=tuple(edits),
            language=language,
            engine=engine,
            explanation_language=explanation_language,
        )

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["edits"] = [asdict(e) for e in self.edits]
        return data


@dataclass(slots=True)
class EngineHealth:
    role: str
    engine: str
    state: EngineState
    reason: str = ""
    detail: dict[str, Any] = field(default_factory=dict)


# --- interfaces ----------------------------------------------------------------


@runtime_checkable
class Engine(Protocol):
    name: str

    @property
    def state(self) -> EngineState: ...

    @property
    def reason(self) -> str: ...

    async def warmup(self) -> None:
        """Load the model (if any) and run one tiny inference."""


@runtime_checkable
class SpeechToText(Engine, Protocol):
    async def transcribe(
        self, pcm: bytes, *, sample_rate: int = 16000, language: str, word_timestamps: bool = False
    ) -> Transcript: ...


@runtime_checkable
class LanguageModel(Engine, Protocol):
    def stream(
        self, messages: Sequence[ChatMessage], *, temperature: float = 0.8, max_tokens: int = 200
    ) -> AsyncIterator[str]:
        """Text deltas of the reply, as the model writes them."""

    async def complete_json(
        self,
        messages: Sequence[ChatMessage],
        *,
        schema: Mapping[str, Any],
        temperature: float = 0.2,
        max_tokens: int = 400,
    ) -> dict[str, Any]:
        """One JSON object that follows ``schema`` (JSON mode)."""

    async def prefill(self, messages: Sequence[ChatMessage]) -> None:
        """Read the start of the next prompt ahead of time, if the engine keeps a prompt cache."""


@runtime_checkable
class TextToSpeech(Engine, Protocol):
    def supports(self, language: str) -> bool: ...

    async def synthesize(self, text: str, *, language: str, voice: str | None = None, speed: float = 1.0) -> Audio:
        """One sentence (or a short text) to audio; ``speed`` below 1.0 is slower speech."""

    def stream(self, text: str, *, language: str, voice: str | None = None, speed: float = 1.0) -> AsyncIterator[Audio]:
        """Audio per sentence of ``text``, each as soon as it is ready."""

    def available_voices(self) -> list[str]: ...

    def voice_error(self, voice: str) -> str: ...


@runtime_checkable
class GrammarChecker(Engine, Protocol):
    def supports(self, language: str) -> bool: ...

    async def check(
        self, utterance: str, *, language: str, level: str = "A2", explanation_language: str | None = None
    ) -> GrammarResult:
        """Check one utterance; explanations in ``explanation_language`` when the engine can write
        them in any language (a language model), otherwise in the engine's own language, which the
        result's ``explanation_language`` names."""
