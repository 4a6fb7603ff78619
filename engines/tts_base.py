"""What every text-to-speech engine shares: text checks, and whole-text and per-sentence
synthesis in the engines' executor on top of the engine's own `sentences_sync`."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Iterator
from contextlib import aclosing

from .base import BaseEngine
from .errors import EmptyTextError, TextTooLongError
from .interfaces import Audio


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
    def sentences_sync(self, text: str, *, language: str, voice: str | None = None) -> Iterator[Audio]:
        """Blocking: audio per sentence of `text` (runs in the engines' executor)."""

    def synthesize_sync(self, text: str, *, language: str, voice: str | None = None) -> Audio:
        parts = list(self.sentences_sync(text, language=language, voice=voice))
        if not parts:
            raise EmptyTextError("the text has nothing to speak")
        return Audio(pcm=b"".join(p.pcm for p in parts), sample_rate=parts[0].sample_rate)

    async def synthesize(self, text: str, *, language: str, voice: str | None = None) -> Audio:
        check_text(text, self.max_chars)
        await self.ensure_loaded()
        return await self.executor.run(
            lambda: self.synthesize_sync(text, language=language, voice=voice), what=self.name
        )

    async def stream(self, text: str, *, language: str, voice: str | None = None) -> AsyncIterator[Audio]:
        check_text(text, self.max_chars)
        await self.ensure_loaded()
        sentences = self.executor.iterate(
            lambda stop: self.sentences_sync(text, language=language, voice=voice), what=self.name
        )
        async with aclosing(sentences) as items:
            async for audio in items:
                yield audio
