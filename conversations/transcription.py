"""Speech-to-text that starts while the learner is still talking.

An utterance is transcribed in pieces cut at the learner's pauses (found by voice
activity detection), one piece at a time in the background, so that when the
utterance ends only the audio after the last finished piece is left to do.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress

from engines.errors import EngineError
from engines.scheduling import Priority, engine_priority
from vocabulary.audio import SPEECH_SAMPLE_RATE, pcm16_duration_ms

logger = logging.getLogger(__name__)

# Shorter pieces lose the context Whisper needs and cost a call each.
MIN_PIECE_MS = 1000


def transcript_pieces_join(pieces: list[str]) -> str:
    """Whisper ends each piece as a sentence, but a pause is not the end of one: the full
    stop between pieces goes. (Case stays: a capital may be a name.)"""
    text = ""
    for piece in (p.strip() for p in pieces):
        if not piece:
            continue
        if text.endswith(".") and not text.endswith("..."):
            text = text[:-1]
        text = f"{text} {piece}" if text else piece
    return text


class UtteranceTranscriber:
    """The transcript of one utterance, built piece by piece at its pauses."""

    def __init__(self, *, stt, language: str) -> None:
        self.stt = stt
        self.language = language
        self._pieces: list[str] = []
        self._done_until = 0  # bytes of the utterance already transcribed
        self._running: asyncio.Task | None = None
        self._next_cut: tuple[bytes, int] | None = None

    @property
    def text_so_far(self) -> str:
        return transcript_pieces_join(self._pieces)

    @property
    def busy(self) -> bool:
        return self._running is not None and not self._running.done()

    def pause(self, *, pcm: bytes, cut: int) -> None:
        """The learner paused at byte ``cut`` of ``pcm`` (the utterance so far): transcribe up
        to there in the background. While a piece runs, the latest pause waits for it."""
        self._next_cut = (pcm, cut)
        if not self.busy:
            self._running = asyncio.create_task(self._transcribe_pieces())

    async def _transcribe_pieces(self) -> None:
        while self._next_cut is not None:
            (pcm, cut), self._next_cut = self._next_cut, None
            piece = pcm[self._done_until : cut]
            if pcm16_duration_ms(pcm=piece, sample_rate=SPEECH_SAMPLE_RATE) < MIN_PIECE_MS:
                continue  # the next pause takes it with more context
            self._pieces.append((await self.stt.transcribe(piece, language=self.language)).text)
            self._done_until = cut

    async def transcript_until(self, cut: int) -> str | None:
        """The transcript up to byte ``cut`` once the pieces are done, or None when they do not
        end exactly there (a piece too short was left for later, or one failed). Never cancels
        the pieces: the turn needs them either way."""
        while self._running is not None and not self._running.done():
            try:
                await asyncio.shield(self._running)
            except EngineError:
                return None
        return self.text_so_far if self._done_until == cut and self._pieces else None

    async def preview(self, *, pcm: bytes) -> str:
        """What the learner has said so far (``pcm``: the utterance so far), for a partial
        transcript: the finished pieces plus a throwaway transcription of the rest. Background
        work: any socket's turn goes first."""
        with engine_priority(Priority.BACKGROUND):
            rest = (await self.stt.transcribe(pcm[self._done_until :], language=self.language)).text
        return transcript_pieces_join([*self._pieces, rest])

    async def finish(self, *, pcm: bytes) -> str:
        """The whole transcript of ``pcm`` (the complete utterance): waits for the running
        piece, then transcribes the rest. A failed piece is simply redone with the rest."""
        self._next_cut = None  # the rest is transcribed below, in one piece
        if self._running is not None:
            try:
                await self._running
            except EngineError as exc:
                logger.warning("A piece of the utterance could not be transcribed early: %s", exc)
        rest = pcm[self._done_until :]
        if rest:
            self._pieces.append((await self.stt.transcribe(rest, language=self.language)).text)
        return self.text_so_far

    async def cancel(self) -> None:
        if self._running is not None and not self._running.done():
            self._running.cancel()
            with suppress(asyncio.CancelledError, EngineError):
                await self._running
