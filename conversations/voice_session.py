"""One learner's spoken conversation with one NPC: everything a socket carries, but the socket.

The consumer only turns WebSocket frames into typed messages and back. A VoiceSession
holds the rest of the conversation: the audio format both ways, voice activity,
transcription at pauses and partial transcripts, the turn queue and interruption, and
runs each turn (STT -> LLM -> sentences -> TTS) on the engines it is given.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Callable
from typing import Any, Protocol, Self

from channels.db import database_sync_to_async
from django.conf import settings

from conversations.audio import AudioError, UtteranceBuffer, audio_frame_validate
from conversations.events import (
    audio_start_event,
    error_event,
    pong_event,
    speech_started_event,
    speech_stopped_event,
    transcription_partial_event,
    turn_complete_event,
)
from conversations.messages import (
    EndUtterance,
    Interrupt,
    Ping,
    ProtocolError,
    SessionConfig,
    TypedText,
)
from conversations.models import Conversation, Turn
from conversations.orchestrator import (
    ConversationEngines,
    PreparedReply,
    TurnOrchestrator,
    TurnOutput,
    TurnRequest,
    speculation_drop,
)
from conversations.services import conversation_end, conversation_start
from conversations.transcription import UtteranceTranscriber
from conversations.voice_activity import (
    SpeechEnded,
    SpeechPaused,
    SpeechStarted,
    SpeechTracker,
    speech_tracker_build,
)
from engines.errors import EngineError
from engines.interfaces import Audio
from engines.scheduling import Priority, engine_priority
from npcs.models import NPC
from players.models import Player
from vocabulary.audio import SPEECH_SAMPLE_RATE, Pcm16Resampler, pcm16_duration_ms, wav_encode
from vocabulary.languages import CEFRLevel

logger = logging.getLogger(__name__)

CLOSE_RATE_LIMITED = 4429
# A1-A2 learners pause mid-sentence to find words: the hands-free endpoint waits longer for them.
BEGINNER_LEVELS = frozenset({CEFRLevel.A1, CEFRLevel.A2})
# Partial transcripts on the stream endpoint: at most one per second of the learner's audio.
PARTIAL_INTERVAL_BYTES = SPEECH_SAMPLE_RATE * 2
# A client that keeps sending bad frames, or floods text messages, is closed: this many
# within the window. Audio frames are speech and never counted.
RATE_WINDOW_SECONDS = 10.0
ERROR_LIMIT: int = settings.WS_ERRORS_PER_10S
MESSAGE_LIMIT: int = settings.WS_MESSAGES_PER_10S
# Seconds the turns of a client that went away get to transcribe and store its words.
DISCONNECT_GRACE_SECONDS = 30.0
# Audio of an unfinished utterance at a disconnect shorter than this is no words to keep.
MIN_KEPT_SPEECH_MS = 300

ClientMessage = EndUtterance | TypedText | Interrupt | Ping | SessionConfig


class SessionTransport(Protocol):
    """The socket, as the session sees it."""

    async def send_event(self, event: dict[str, Any]) -> None: ...

    async def send_bytes(self, data: bytes) -> None: ...

    async def close(self, code: int) -> None: ...


class VoiceActivityUnavailable(Exception):
    """The hands-free session cannot run without voice activity detection."""


class WindowRateLimiter:
    def __init__(
        self,
        *,
        limit: int,
        window_seconds: float = RATE_WINDOW_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.window_seconds = window_seconds
        self.clock = clock
        self._times: deque[float] = deque()

    def exceeded_after_one_more(self) -> bool:
        now = self.clock()
        self._times.append(now)
        while self._times and self._times[0] <= now - self.window_seconds:
            self._times.popleft()
        return len(self._times) > self.limit


class VoiceSession(ABC):
    """What both endpoints share; PushToTalkSession and HandsFreeVoiceSession say how an
    utterance is delimited."""

    @classmethod
    async def start(
        cls, *, engines: ConversationEngines, transport: SessionTransport, player: Player, npc: NPC
    ) -> Self:
        """Start a conversation (raises VoiceActivityUnavailable first, so none is left open)."""
        tracker = await cls._speech_tracker(engines=engines, player=player)
        conversation = await database_sync_to_async(conversation_start)(player=player, npc=npc, language=npc.language)
        session = cls(
            engines=engines, transport=transport, player=player, npc=npc, conversation=conversation, tracker=tracker
        )
        # The model reads the NPC's prompt while the learner thinks of what to say, so the
        # first turn, like the later ones, reads only the learner's words.
        session.orchestrator.prefill_prompt()
        return session

    @classmethod
    async def _speech_tracker(cls, *, engines: ConversationEngines, player: Player) -> SpeechTracker | None:
        try:
            return await speech_tracker_build(vad=engines.vad(), end_silence_ms=None)
        except EngineError as exc:
            logger.warning("Voice activity detection is unavailable: %s", exc)
            return None

    def __init__(
        self,
        *,
        engines: ConversationEngines,
        transport: SessionTransport,
        player: Player,
        npc: NPC,
        conversation: Conversation,
        tracker: SpeechTracker | None,
    ) -> None:
        self.engines = engines
        self.transport = transport
        self.player = player
        self.npc = npc
        self.conversation = conversation
        self.tracker = tracker
        self.listening = True
        self.resampler: Pcm16Resampler | None = None
        self.output_format = "wav"
        self.events: frozenset[str] = frozenset()
        self.errors = WindowRateLimiter(limit=ERROR_LIMIT)
        self.messages = WindowRateLimiter(limit=MESSAGE_LIMIT)
        self.turn_task: asyncio.Task[None] | None = None
        self.current_turn_id: uuid.UUID | None = None  # the turn turn_task is running
        self.waiting: deque[TurnRequest] = deque()  # at most one while the client listens
        self.announced_sample_rate: int | None = None
        self.transcriber: UtteranceTranscriber | None = None
        # A reply begun at the learner's last pause, with when that was.
        self.speculation: asyncio.Task[PreparedReply | None] | None = None
        self.speculation_started_at = 0.0
        self._drops: set[asyncio.Task[None]] = set()
        self.orchestrator = TurnOrchestrator(
            engines=engines,
            output=TurnOutput(send_event=self.send_event, send_audio=self.send_audio, wants=self.wants),
            player=player,
            npc=npc,
            conversation=conversation,
            language=npc.language,
            prefill_next_turn=True,
        )

    # --- from the client ------------------------------------------------------------

    async def handle(self, message: ClientMessage) -> None:
        if not self.listening:
            return
        if self.messages.exceeded_after_one_more():
            await self._close_rate_limited("Too many messages; closing.")
            return
        match message:
            case EndUtterance():
                await self.end_utterance()
            case TypedText(text=text):
                await self.submit_turn(
                    TurnRequest(received_at=time.monotonic(), input_mode=Turn.InputMode.TEXT, text=text)
                )
            case Interrupt():
                self.interrupt()
            case Ping():
                await self.send_event(pong_event())
            case SessionConfig():
                self.configure(message)

    async def protocol_error(self, error: ProtocolError) -> None:
        """A message the protocol rejects: say so, and close the turn the client may wait on."""
        if not self.listening:
            return
        await self.recoverable_error(code=error.code, message=error.message)
        if error.asks_for_turn:
            await self.send_event(turn_complete_event(turn_id=str(uuid.uuid4()), metrics={}))

    async def audio_received(self, frame: bytes) -> None:
        if not self.listening:
            return
        try:
            pcm = self.input_pcm(frame)
        except AudioError as exc:
            await self.recoverable_error(code=exc.code, message=str(exc))
            return
        await self.speech_received(pcm)

    @abstractmethod
    async def speech_received(self, pcm: bytes) -> None:
        """16 kHz PCM16 from the client, in order."""

    def input_pcm(self, frame: bytes) -> bytes:
        """A client frame as 16 kHz PCM16 (raises AudioError for a frame the protocol rejects)."""
        audio_frame_validate(frame=frame)
        return self.resampler.process(frame) if self.resampler else frame

    @abstractmethod
    async def end_utterance(self) -> None:
        """The client (or the end-of-turn silence) ended the utterance: run it as a turn."""

    def configure(self, config: SessionConfig) -> None:
        if config.input_sample_rate is not None:
            rate = config.input_sample_rate
            self.resampler = None if rate == SPEECH_SAMPLE_RATE else Pcm16Resampler(from_rate=rate)
        if config.output is not None:
            self.output_format = config.output
        if config.events is not None:
            self.events = config.events
        if config.language is not None:
            self.orchestrator.language = config.language
            if self.transcriber is not None:
                self.transcriber.language = config.language

    # --- turns ----------------------------------------------------------------------

    def utterance_transcriber(self) -> UtteranceTranscriber:
        """The transcriber of the current utterance (one per utterance)."""
        if self.transcriber is None:
            self.transcriber = UtteranceTranscriber(stt=self.engines.stt(), language=self.orchestrator.language)
        return self.transcriber

    @property
    def turn_running(self) -> bool:
        return self.turn_task is not None and not self.turn_task.done()

    async def submit_turn(self, request: TurnRequest) -> None:
        """One turn at a time; one more may wait; a further one is refused as busy."""
        if not self.turn_running:
            self.turn_task = asyncio.create_task(self._run_turns(request))
        elif not self.waiting:
            self.waiting.append(request)
        else:
            await self.send_event(
                error_event(code="busy", message="A turn is running and another is waiting; this one was dropped.")
            )
            await self.send_event(turn_complete_event(turn_id=str(request.turn_id), metrics={}))

    def interrupt(self) -> None:
        if self.turn_running:
            self.orchestrator.interrupt()

    async def _run_turns(self, first: TurnRequest) -> None:
        request: TurnRequest | None = first
        while request is not None:
            self.announced_sample_rate = None
            self.current_turn_id = request.turn_id
            try:
                await self.orchestrator.run(request)
            except asyncio.CancelledError:
                raise
            except Exception:
                # A bug must not hang the game: it still gets its error and turn_complete.
                logger.exception("Turn %s failed unexpectedly", request.turn_id)
                await self.send_event(error_event(code="internal_error", message="The turn failed on the server."))
                await self.send_event(turn_complete_event(turn_id=str(request.turn_id), metrics={}))
            self.current_turn_id = None
            request = self.waiting.popleft() if self.waiting else None

    @abstractmethod
    def unfinished_utterance(self) -> TurnRequest | None:
        """At a disconnect: the speech received since the last turn, as a turn of its own."""

    def _speech_request(
        self, *, pcm: bytes, trailing_silence_ms: int | None = None, received_at: float | None = None
    ) -> TurnRequest:
        """The utterance as a turn, with the transcriber that began on it during speech and the
        reply begun at its last pause, if nothing was said after it."""
        transcriber, self.transcriber = self.transcriber, None
        speculation, self.speculation = self.speculation, None
        if speculation is not None and self.tracker is not None and self.tracker.voiced_since_pause:
            self._drop(speculation)
            speculation = None
        return TurnRequest(
            received_at=time.monotonic() if received_at is None else received_at,
            input_mode=Turn.InputMode.SPEECH,
            pcm=pcm,
            trailing_silence_ms=trailing_silence_ms,
            transcriber=transcriber,
            speculation=speculation,
        )

    # --- speculation: the reply begun at a pause -------------------------------------

    def paused(self, *, pcm: bytes, cut: int) -> None:
        """The learner paused at byte ``cut`` of the utterance (``pcm``: the utterance so far):
        transcribe up to there, and begin the reply in case the turn ends here."""
        transcriber = self.utterance_transcriber()
        transcriber.pause(pcm=pcm, cut=cut)
        if not settings.SPECULATIVE_REPLIES or self.turn_running or self.waiting:
            return  # the reply would read a history that is still being written
        if self.speculation is not None:
            self._drop(self.speculation)
        self.speculation_started_at = time.monotonic()
        # A guess, after any learner's real turn in the queue for the engines, until adopted.
        with engine_priority(Priority.REPLY_REST):
            self.speculation = asyncio.create_task(self._prepare(transcriber=transcriber, cut=cut))

    async def _prepare(self, *, transcriber: UtteranceTranscriber, cut: int) -> PreparedReply | None:
        transcript = await transcriber.transcript_until(cut)
        if not transcript:
            return None
        return PreparedReply(transcript=transcript, reply=await self.orchestrator.reply_begin(transcript=transcript))

    def speech_went_on(self) -> None:
        """Called after each piece of audio: speech after the pause drops its speculation."""
        if self.speculation is not None and self.tracker is not None and self.tracker.voiced_since_pause:
            speculation, self.speculation = self.speculation, None
            self._drop(speculation)

    def _drop(self, speculation: asyncio.Task[PreparedReply | None]) -> None:
        drop = asyncio.create_task(speculation_drop(speculation, started_at=self.speculation_started_at))
        self._drops.add(drop)  # the loop keeps tasks only weakly
        drop.add_done_callback(self._drops.discard)

    async def shut_down(self, *, grace_seconds: float) -> None:
        """The server is stopping. Nothing more is read; the client is told (`server_shutdown`);
        the turns running or waiting get half the grace period to finish their replies, and
        close() the rest of it to store what the learner was still saying. The transport is
        still open throughout, so every turn gets its turn_complete."""
        started = time.monotonic()
        self.listening = False
        await self.send_event(
            error_event(
                code="server_shutdown",
                message="The server is restarting; no new turn is taken. Reconnect in a moment.",
            )
        )
        if self.turn_task is not None and not self.turn_task.done():
            await asyncio.wait({self.turn_task}, timeout=grace_seconds / 2)
        await self.close(grace_seconds=max(grace_seconds - (time.monotonic() - started), 0.1))

    async def close(self, *, grace_seconds: float = DISCONNECT_GRACE_SECONDS) -> None:
        """The client went away. Nothing more is read or sent, no reply is written, but every
        word it said is transcribed, stored and checked: the turns running or waiting, and
        the utterance it was in the middle of. Then the conversation ends."""
        self.listening = False
        self.orchestrator.abandon()
        unfinished = self.unfinished_utterance()
        if unfinished is not None:
            if self.turn_running:
                self.waiting.append(unfinished)
            else:
                self.turn_task = asyncio.create_task(self._run_turns(unfinished))
        if self.transcriber is not None:
            await self.transcriber.cancel()
        if self.speculation is not None:
            self._drop(self.speculation)
            self.speculation = None
        if self.turn_task is not None and not self.turn_task.done():
            try:
                await asyncio.wait_for(self.turn_task, grace_seconds)
            except TimeoutError:
                logger.warning("Turns of a closed socket took over %s s; stopped", grace_seconds)
                if self.current_turn_id is not None:  # stored as interrupted; a socket still open is told
                    await self.send_event(
                        turn_complete_event(turn_id=str(self.current_turn_id), metrics={}, interrupted=True)
                    )
        await self.orchestrator.close()
        if self._drops:
            await asyncio.gather(*self._drops, return_exceptions=True)
        await database_sync_to_async(conversation_end)(conversation=self.conversation)

    # --- to the client --------------------------------------------------------------

    def wants(self, name: str) -> bool:
        """Did the client ask for this extension event?"""
        return name in self.events

    async def send_event(self, event: dict[str, Any]) -> None:
        await self.transport.send_event(event)

    async def send_audio(self, audio: Audio) -> None:
        if self.output_format == "pcm16":
            if self.announced_sample_rate != audio.sample_rate:
                await self.send_event(audio_start_event(sample_rate=audio.sample_rate))
                self.announced_sample_rate = audio.sample_rate
            await self.transport.send_bytes(audio.pcm)
        else:
            # One canonical 44-byte-header WAV per sentence: what the Unity client plays.
            await self.transport.send_bytes(wav_encode(pcm=audio.pcm, sample_rate=audio.sample_rate))

    async def recoverable_error(self, *, code: str, message: str) -> None:
        await self.send_event(error_event(code=code, message=message))
        if self.errors.exceeded_after_one_more():
            await self._close_rate_limited("Too many bad messages; closing.")

    async def _close_rate_limited(self, message: str) -> None:
        await self.send_event(error_event(code="rate_limited", message=message))
        # Nothing more is read from this client: frames it already sent are dropped.
        self.listening = False
        await self.transport.close(CLOSE_RATE_LIMITED)


class PushToTalkSession(VoiceSession):
    """Push-to-talk: the client says when the utterance ends (`end_utterance`). Voice
    activity, when available, only finds the pauses worth transcribing early."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.buffer = UtteranceBuffer(sample_rate=SPEECH_SAMPLE_RATE)
        self.told_too_long = False  # this utterance went over the limit and the client was told

    async def speech_received(self, pcm: bytes) -> None:
        left_out = self.buffer.append(pcm)
        if left_out:
            pcm = pcm[: len(pcm) - left_out]
            await self.utterance_too_long()
        if self.tracker is not None and pcm:
            for event in self.tracker.feed(pcm):
                if isinstance(event, SpeechPaused):
                    self.paused(pcm=self.buffer.peek(), cut=event.cut)
            self.speech_went_on()

    async def utterance_too_long(self) -> None:
        """Holding the talk key past the limit is speech, not abuse: said once per utterance,
        not counted against the client, and what fits is answered at end_utterance."""
        if self.told_too_long:
            return
        self.told_too_long = True
        limit = self.buffer.max_seconds
        await self.send_event(
            error_event(
                code="utterance_too_long",
                message=f"The utterance is over {limit:g} s: its first {limit:g} s will be answered, "
                "the rest was not kept.",
            )
        )

    async def end_utterance(self) -> None:
        if self.resampler:
            self.buffer.append(self.resampler.flush())
        request = self._speech_request(pcm=self.buffer.take())
        if self.tracker is not None:
            self.tracker.start_utterance()
        self.told_too_long = False
        await self.submit_turn(request)

    def unfinished_utterance(self) -> TurnRequest | None:
        if self.buffer.duration_ms < MIN_KEPT_SPEECH_MS:
            return None
        return self._speech_request(pcm=self.buffer.take())


class HandsFreeVoiceSession(VoiceSession):
    """Hands-free: voice activity finds where each utterance starts and ends, partial
    transcripts follow the learner while they speak, and speaking while the NPC talks
    interrupts it. Durations are audio time, so a slow network does not end turns."""

    @classmethod
    async def _speech_tracker(cls, *, engines: ConversationEngines, player: Player) -> SpeechTracker:
        level_is_beginner = player.proficiency_level in BEGINNER_LEVELS
        end_silence_ms = (
            settings.BEGINNER_END_OF_TURN_SILENCE_MS if level_is_beginner else settings.END_OF_TURN_SILENCE_MS
        )
        try:
            return await speech_tracker_build(vad=engines.vad(), end_silence_ms=end_silence_ms)
        except EngineError as exc:
            raise VoiceActivityUnavailable(str(exc)) from exc

    def __init__(self, *, tracker: SpeechTracker | None, **kwargs: Any) -> None:
        if tracker is None:
            raise VoiceActivityUnavailable("a hands-free session needs a speech tracker")
        super().__init__(tracker=tracker, **kwargs)
        self.speech: SpeechTracker = tracker
        self.preview: asyncio.Task[None] | None = None
        self.partial_due_at = 0  # bytes of the utterance at which the next partial transcript may start

    async def speech_received(self, pcm: bytes) -> None:
        for event in self.speech.feed(pcm):
            match event:
                case SpeechStarted():
                    await self.speech_started()
                case SpeechPaused(cut=cut, pcm=utterance_so_far):
                    self.paused(pcm=utterance_so_far, cut=cut)
                case SpeechEnded(pcm=utterance, trailing_silence_ms=silence):
                    await self.speech_ended(pcm=utterance, trailing_silence_ms=silence)
        self.speech_went_on()
        if self.speech.speaking and self.wants("transcription_partial"):
            self.maybe_send_partial()

    async def speech_started(self) -> None:
        if self.turn_running:
            self.interrupt()  # barge-in: the learner talks over the NPC
        self.utterance_transcriber()
        self.partial_due_at = PARTIAL_INTERVAL_BYTES
        if self.wants("speech_started"):
            await self.send_event(speech_started_event())

    async def speech_ended(self, *, pcm: bytes, trailing_silence_ms: int | None) -> None:
        received_at = time.monotonic()
        if self.preview is not None:
            self.preview.cancel()  # the final transcript must not wait for a preview
        if self.wants("speech_stopped"):
            await self.send_event(speech_stopped_event())
        await self.submit_turn(
            self._speech_request(pcm=pcm, trailing_silence_ms=trailing_silence_ms, received_at=received_at)
        )

    async def end_utterance(self) -> None:
        """An explicit end on the stream endpoint ends the current utterance now."""
        if self.resampler:
            self.speech.feed(self.resampler.flush())
        await self.speech_ended(pcm=self.speech.take(), trailing_silence_ms=None)

    def maybe_send_partial(self) -> None:
        """At most one partial transcript per PARTIAL_INTERVAL of audio, never beside another
        transcription of this utterance, so the final transcript is never kept waiting."""
        utterance = self.speech.utterance
        transcriber = self.utterance_transcriber()
        if len(utterance) < self.partial_due_at or transcriber.busy:
            return
        if self.preview is not None and not self.preview.done():
            return
        self.partial_due_at = len(utterance) + PARTIAL_INTERVAL_BYTES
        self.preview = asyncio.create_task(self._send_partial(transcriber=transcriber, pcm=utterance))

    async def _send_partial(self, *, transcriber: UtteranceTranscriber, pcm: bytes) -> None:
        try:
            text = await transcriber.preview(pcm=pcm)
        except EngineError as exc:
            logger.warning("Partial transcript failed: %s", exc)
            return
        if self.listening and text and transcriber is self.transcriber:
            await self.send_event(transcription_partial_event(text=text))

    def configure(self, config: SessionConfig) -> None:
        super().configure(config)
        if config.end_of_turn_silence_ms is not None:
            self.speech.end_silence_ms = config.end_of_turn_silence_ms

    def unfinished_utterance(self) -> TurnRequest | None:
        if not self.speech.speaking:
            return None
        pcm = self.speech.take()
        if pcm16_duration_ms(pcm=pcm, sample_rate=SPEECH_SAMPLE_RATE) < MIN_KEPT_SPEECH_MS:
            return None
        return self._speech_request(pcm=pcm)

    async def close(self, *, grace_seconds: float = DISCONNECT_GRACE_SECONDS) -> None:
        if self.preview is not None:
            self.preview.cancel()
        await super().close(grace_seconds=grace_seconds)
