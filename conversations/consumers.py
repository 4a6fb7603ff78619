"""The WebSocket endpoints of PROTOCOL.md.

A consumer frames the protocol: it authenticates, buffers audio, parses messages,
schedules one turn at a time (each in its own task, so the socket keeps receiving)
and hands each turn to the orchestrator.
"""

import asyncio
import json
import logging
import time
import uuid
from collections import deque
from contextlib import suppress
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from conversations.audio import AudioError, UtteranceBuffer, audio_frame_validate
from conversations.events import (
    audio_start_event,
    error_event,
    player_group_name,
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
    client_message_parse,
)
from conversations.models import Turn
from conversations.orchestrator import TurnOrchestrator, TurnOutput, TurnRequest
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
from engines.registry import get_registry
from npcs.selectors import npc_get_active
from players.authentication import token_from_request_parts
from players.services import PlayerAuthenticationError, player_authenticate
from vocabulary.audio import SPEECH_SAMPLE_RATE, Pcm16Resampler, wav_encode
from vocabulary.languages import CEFRLevel

logger = logging.getLogger(__name__)

CLOSE_UNAUTHORIZED = 4401
CLOSE_UNKNOWN_NPC = 4404
CLOSE_RATE_LIMITED = 4429
CLOSE_SERVER_ERROR = 1011
# A1-A2 learners pause mid-sentence to find words: the hands-free endpoint waits longer for them.
BEGINNER_LEVELS = frozenset({CEFRLevel.A1, CEFRLevel.A2})
# Partial transcripts on the stream endpoint: at most one per second of the learner's audio.
PARTIAL_INTERVAL_BYTES = SPEECH_SAMPLE_RATE * 2
# A client that keeps sending bad frames is closed: this many errors within the window.
ERROR_LIMIT = 20
ERROR_WINDOW_SECONDS = 10.0
# Seconds a turn gets to store what happened after its client went away.
DISCONNECT_GRACE_SECONDS = 5.0


class ErrorRateLimiter:
    def __init__(self, *, limit: int = ERROR_LIMIT, window_seconds: float = ERROR_WINDOW_SECONDS, clock=time.monotonic):
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


class ConversationConsumer(AsyncWebsocketConsumer):
    """Push-to-talk: the client says when the utterance ends (`end_utterance`)."""

    ready = False
    needs_voice_activity = False  # push-to-talk works without it, only without transcription at pauses

    async def connect(self) -> None:
        # Daphne turns a close before accept into a bare 403: accept, then explain and close.
        await self.accept()
        route = self.scope["url_route"]["kwargs"]
        try:
            self.player = await database_sync_to_async(player_authenticate)(
                player_id=route["player_id"], token=self._token()
            )
        except PlayerAuthenticationError as exc:
            await self._refuse(code=exc.code, message=str(exc), close_code=CLOSE_UNAUTHORIZED)
            return
        self.npc = await database_sync_to_async(npc_get_active)(npc_id=route["npc_id"])
        if self.npc is None:
            await self._refuse(
                code="unknown_npc", message=f"There is no active NPC {route['npc_id']!r}.", close_code=CLOSE_UNKNOWN_NPC
            )
            return
        self.tracker = await self.speech_tracker()
        if self.tracker is None and self.needs_voice_activity:
            # Refused before a conversation is recorded, so none is left open.
            await self._refuse(
                code="vad_unavailable",
                message="Voice activity detection is unavailable on this server.",
                close_code=CLOSE_SERVER_ERROR,
            )
            return
        self.conversation = await database_sync_to_async(conversation_start)(
            player=self.player, npc=self.npc, language=self.npc.language
        )
        # Push-to-talk collects the utterance here; hands-free, the speech tracker holds it.
        self.buffer = None if self.needs_voice_activity else UtteranceBuffer(sample_rate=SPEECH_SAMPLE_RATE)
        self.resampler: Pcm16Resampler | None = None
        self.output_format = "wav"
        self.events: frozenset[str] = frozenset()
        self.errors = ErrorRateLimiter()
        self.turn_task: asyncio.Task | None = None
        self.queued: TurnRequest | None = None
        self.announced_sample_rate: int | None = None
        self.transcriber: UtteranceTranscriber | None = None
        self.orchestrator = TurnOrchestrator(
            engines=get_registry(),
            output=TurnOutput(send_event=self.send_event, send_audio=self._send_audio, wants=self.events_wanted),
            player=self.player,
            npc=self.npc,
            conversation=self.conversation,
            language=self.npc.language,
            prefill_next_turn=True,
        )
        await self.channel_layer.group_add(player_group_name(player_id=self.player.player_id), self.channel_name)
        self.ready = True

    async def disconnect(self, code: int) -> None:
        if not self.ready:
            return
        self.ready = False
        if self.transcriber is not None:
            await self.transcriber.cancel()
        if self.turn_task is not None and not self.turn_task.done():
            # The client is gone: stop the turn's work; it stores what happened.
            self.turn_task.cancel()
            with suppress(asyncio.CancelledError, TimeoutError):
                await asyncio.wait_for(self.turn_task, DISCONNECT_GRACE_SECONDS)
        await self.orchestrator.close()
        await self.channel_layer.group_discard(player_group_name(player_id=self.player.player_id), self.channel_name)
        await database_sync_to_async(conversation_end)(conversation=self.conversation)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if not self.ready:
            return
        if bytes_data is not None:
            await self.receive_audio(bytes_data)
            return
        try:
            message = client_message_parse(text_data=text_data or "")
        except ProtocolError as exc:
            await self.recoverable_error(code=exc.code, message=exc.message)
            if exc.asks_for_turn:
                await self.send_event(turn_complete_event(turn_id=str(uuid.uuid4()), metrics={}))
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

    # --- audio and turns ----------------------------------------------------------

    def end_of_turn_silence_ms(self) -> int | None:
        """Push-to-talk: the client ends the turn, voice activity only finds pauses to transcribe at."""
        return None

    async def speech_tracker(self) -> SpeechTracker | None:
        try:
            return await speech_tracker_build(end_silence_ms=self.end_of_turn_silence_ms())
        except EngineError as exc:
            logger.warning("Voice activity detection is unavailable: %s", exc)
            return None

    def utterance_transcriber(self) -> UtteranceTranscriber:
        """The transcriber of the current utterance (one per utterance)."""
        if self.transcriber is None:
            self.transcriber = UtteranceTranscriber(stt=get_registry().stt(), language=self.orchestrator.language)
        return self.transcriber

    async def receive_audio(self, frame: bytes) -> None:
        try:
            pcm = self.input_pcm(frame)
            self.buffer.append(pcm)
        except AudioError as exc:
            await self.recoverable_error(code=exc.code, message=str(exc))
            return
        if self.tracker is not None:
            for event in self.tracker.feed(pcm):
                if isinstance(event, SpeechPaused):
                    self.utterance_transcriber().pause(pcm=self.buffer.peek(), cut=event.cut)

    def input_pcm(self, frame: bytes) -> bytes:
        """A client frame as 16 kHz PCM16 (raises AudioError for a frame the protocol rejects)."""
        audio_frame_validate(frame=frame)
        return self.resampler.process(frame) if self.resampler else frame

    async def end_utterance(self) -> None:
        if self.resampler:
            self.buffer.append(self.resampler.flush())
        if self.tracker is not None:
            self.tracker.start_utterance()
        transcriber, self.transcriber = self.transcriber, None
        await self.submit_turn(
            TurnRequest(
                received_at=time.monotonic(),
                input_mode=Turn.InputMode.SPEECH,
                pcm=self.buffer.take(),
                transcriber=transcriber,
            )
        )

    async def submit_turn(self, request: TurnRequest) -> None:
        """One turn at a time; one more may wait; a further one is refused as busy."""
        if self.turn_task is None or self.turn_task.done():
            self.turn_task = asyncio.create_task(self._run_turns(request))
        elif self.queued is None:
            self.queued = request
        else:
            await self.send_event(
                error_event(code="busy", message="A turn is running and another is waiting; this one was dropped.")
            )
            await self.send_event(turn_complete_event(turn_id=str(request.turn_id), metrics={}))

    def interrupt(self) -> None:
        if self.turn_task is not None and not self.turn_task.done():
            self.orchestrator.interrupt()

    async def _run_turns(self, request: TurnRequest | None) -> None:
        while request is not None:
            self.announced_sample_rate = None
            try:
                await self.orchestrator.run(request)
            except asyncio.CancelledError:
                raise
            except Exception:
                # A bug must not hang the game: it still gets its error and turn_complete.
                logger.exception("Turn %s failed unexpectedly", request.turn_id)
                await self.send_event(error_event(code="internal_error", message="The turn failed on the server."))
                await self.send_event(turn_complete_event(turn_id=str(request.turn_id), metrics={}))
            request, self.queued = self.queued, None

    # --- session settings -------------------------------------------------------------

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

    def events_wanted(self, name: str) -> bool:
        return name in self.events

    # --- sending ----------------------------------------------------------------------

    async def send_event(self, event: dict) -> None:
        await self.send(text_data=json.dumps(event, ensure_ascii=False))

    async def _send_audio(self, audio: Audio) -> None:
        if self.output_format == "pcm16":
            if self.announced_sample_rate != audio.sample_rate:
                await self.send_event(audio_start_event(sample_rate=audio.sample_rate))
                self.announced_sample_rate = audio.sample_rate
            await self.send(bytes_data=audio.pcm)
        else:
            # One canonical 44-byte-header WAV per sentence: what the Unity client plays.
            await self.send(bytes_data=wav_encode(pcm=audio.pcm, sample_rate=audio.sample_rate))

    async def recoverable_error(self, *, code: str, message: str) -> None:
        await self.send_event(error_event(code=code, message=message))
        if self.errors.exceeded_after_one_more():
            await self.send_event(error_event(code="rate_limited", message="Too many bad messages; closing."))
            await self.close(code=CLOSE_RATE_LIMITED)

    async def grammar_correction(self, message: dict) -> None:
        """A correction pushed through the channel layer by whichever process checked the turn."""
        if self.ready:
            await self.send_event(message["event"])

    # --- connection -------------------------------------------------------------------

    def _token(self) -> str | None:
        headers = dict(self.scope.get("headers", []))
        authorization = headers.get(b"authorization", b"").decode("latin1") or None
        query = parse_qs(self.scope.get("query_string", b"").decode("latin1"))
        return token_from_request_parts(authorization=authorization, query_token=(query.get("token") or [None])[0])

    async def _refuse(self, *, code: str, message: str, close_code: int) -> None:
        await self.send_event(error_event(code=code, message=message))
        await self.close(code=close_code)


class StreamConversationConsumer(ConversationConsumer):
    """Hands-free: voice activity detection finds where each utterance starts and ends,
    partial transcripts follow the learner while they speak, and speaking while the NPC
    talks interrupts it. Durations are audio time, so a slow network does not end turns."""

    needs_voice_activity = True

    def end_of_turn_silence_ms(self) -> int:
        if self.player.proficiency_level in BEGINNER_LEVELS:
            return settings.BEGINNER_END_OF_TURN_SILENCE_MS
        return settings.END_OF_TURN_SILENCE_MS

    async def connect(self) -> None:
        self.preview: asyncio.Task | None = None
        self.partial_due_at = 0  # bytes of the utterance at which the next partial transcript may start
        await super().connect()

    async def disconnect(self, code: int) -> None:
        if self.preview is not None:
            self.preview.cancel()
        await super().disconnect(code)

    async def receive_audio(self, frame: bytes) -> None:
        try:
            pcm = self.input_pcm(frame)
        except AudioError as exc:
            await self.recoverable_error(code=exc.code, message=str(exc))
            return
        for event in self.tracker.feed(pcm):
            match event:
                case SpeechStarted():
                    await self.speech_started()
                case SpeechPaused(cut=cut, pcm=utterance_so_far):
                    self.utterance_transcriber().pause(pcm=utterance_so_far, cut=cut)
                case SpeechEnded(pcm=utterance, trailing_silence_ms=silence):
                    await self.speech_ended(pcm=utterance, trailing_silence_ms=silence)
        if self.tracker.speaking and self.events_wanted("transcription_partial"):
            self.maybe_send_partial()

    async def speech_started(self) -> None:
        if self.turn_task is not None and not self.turn_task.done():
            self.interrupt()  # barge-in: the learner talks over the NPC
        self.utterance_transcriber()
        self.partial_due_at = PARTIAL_INTERVAL_BYTES
        if self.events_wanted("speech_started"):
            await self.send_event(speech_started_event())

    async def speech_ended(self, *, pcm: bytes, trailing_silence_ms: int | None) -> None:
        received_at = time.monotonic()
        if self.preview is not None:
            self.preview.cancel()  # the final transcript must not wait for a preview
        if self.events_wanted("speech_stopped"):
            await self.send_event(speech_stopped_event())
        transcriber, self.transcriber = self.transcriber, None
        await self.submit_turn(
            TurnRequest(
                received_at=received_at,
                input_mode=Turn.InputMode.SPEECH,
                pcm=pcm,
                trailing_silence_ms=trailing_silence_ms,
                transcriber=transcriber,
            )
        )

    async def end_utterance(self) -> None:
        """An explicit end on the stream endpoint ends the current utterance now."""
        if self.resampler:
            self.tracker.feed(self.resampler.flush())
        await self.speech_ended(pcm=self.tracker.take(), trailing_silence_ms=None)

    def maybe_send_partial(self) -> None:
        """At most one partial transcript per PARTIAL_INTERVAL of audio, never beside another
        transcription of this utterance, so the final transcript is never kept waiting."""
        utterance = self.tracker.utterance
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
        if self.ready and text and transcriber is self.transcriber:
            await self.send_event(transcription_partial_event(text=text))

    def configure(self, config: SessionConfig) -> None:
        super().configure(config)
        if config.end_of_turn_silence_ms is not None:
            self.tracker.end_silence_ms = config.end_of_turn_silence_ms
