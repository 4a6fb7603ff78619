"""What every text-to-speech engine shares: text checks, and whole-text and per-sentence
synthesis in the engines' executor on top of the engine's own `sentences_sync`."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Iterator
from contextlib import aclosing

from .base import BaseEngine
from .errors import EmptyTextError, TextTooLongError
from .interfaces import Audio

# How fast an NPC speaks to a learner of each CEFR level, relative to the engine's normal
# speed (espeak-ng's words a minute, Piper's length_scale): slower for beginners.
LEVEL_SPEEDS = {"A1": 0.75, "A2": 0.85}


def speed_for_level(level: str | None) -> float:
    """1.0 for B1 and above (and an unknown level); slower for A1-A2."""
    return LEVEL_SPEEDS.get((level or "").upper(), 1.0)


def check_text(text: str, max_chars: int) -> str:
    cleaned = " ".join(text.split())
    if not cleaned:
        raise EmptyTextError("there is no text to speak")
    if len(cleaned) > max_chars:
        raise TextTooLongError(f"text of {len(cleaned)} characters is over the {max_chars}-character limit")
    return cleaned


class SentenceTTS(BaseEngine, ABC):
    role = "tts"
    max_chars: int

    @abstractmethod
    def sentences_sync(
        self, text: str, *, language: str, voice: str | None = None, speed: float = 1.0
    ) -> Iterator[Audio]:
        """Blocking: audio per sentence of `text` (runs in the engines' executor); ``speed`` below
        1.0 speaks more slowly, where the engine allows it."""

    def available_voices(self) -> list[str]:
        """The voice ids this engine knows it has (may be partial: a file path is also a voice)."""
        return []

    def voice_error(self, voice: str) -> str:
        """Why ``voice`` cannot be used ("" when it can or cannot be told without loading a model)."""
        return ""

    def synthesize_sync(self, text: str, *, language: str, voice: str | None = None, speed: float = 1.0) -> Audio:
        parts = list(self.sentences_sync(text, language=language, voice=voice, speed=speed))
        if not parts:
            raise EmptyTextError("the text has nothing to speak")
        return Audio(pcm=b"".join(p.pcm for p in parts), sample_rate=parts[0].sample_rate)

    async def synthesize(self, text: str, *, language: str, voice: str | None = None, speed: float = 1.0) -> Audio:
        check_text(text, self.max_chars)
        await self.ensure_loaded()
        return await self.executor.run(
            lambda: self.synthesize_sync(text, language=language, voice=voice, speed=speed), what=self.name
        )

    async def stream(
        self, text: str, *, language: str, voice: str | None = None, speed: float = 1.0
    ) -> AsyncIterator[Audio]:
        check_text(text, self.max_chars)
        await self.ensure_loaded()
        sentences = self.executor.iterate(
            lambda stop: self.sentences_sync(text, language=language, voice=voice, speed=speed), what=self.name
        )
        async with aclosing(sentences) as items:
            async for audio in items:
                yield audio
