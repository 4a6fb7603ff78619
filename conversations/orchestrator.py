"""One conversation turn, end to end (DESIGN.md, "One turn, as data flows").

transcribe -> record the turn (grammar is enqueued on commit, never awaited) ->
gather context concurrently -> stream the reply -> cut it into sentences ->
synthesize sentence k while the model writes sentence k+1 -> send each audio the
moment it exists -> npc_text -> store -> turn_complete with metrics.
"""

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import aclosing, suppress
from dataclasses import dataclass, field
from typing import Any, ParamSpec, Protocol, TypeVar

from channels.db import database_sync_to_async
from django.conf import settings
from django.db import InterfaceError, OperationalError, close_old_connections

from conversations.events import (
    error_event,
    metrics_event,
    npc_text_delta_event,
    npc_text_event,
    transcription_event,
    turn_complete_event,
)
from conversations.models import Conversation, Turn
from conversations.prompts import npc_prompt_messages
from conversations.segmenter import SentenceSegmenter, sentence_is_complete
from conversations.services import turn_finish, turn_record
from conversations.signals import turn_recorded_announce
from conversations.transcription import UtteranceTranscriber
from engines.errors import BadInputError, EngineError, EngineTimeoutError
from engines.interfaces import Audio, ChatMessage
from engines.scheduling import Priority, current_priority, engine_priority, engine_priority_set
from engines.tts_base import speed_for_level
from npcs.models import NPC
from npcs.selectors import npc_names, npc_scene_translations_load
from players.models import Player
from players.selectors import relationship_describe, relationship_score
from players.services import relationship_apply_turn
from players.world_state import HistoryExchange, get_world_state_store
from vocabulary.audio import SPEECH_SAMPLE_RATE, pcm16_duration_ms

logger = logging.getLogger(__name__)

# Short replies: the learner should talk more than the NPC. The prompt asks for them; the
# small embedded model often writes on, so the reply also stops after two sentences (which
# also frees the model sooner for the next learner).
REPLY_MAX_TOKENS = 120
REPLY_MAX_SENTENCES = 2


class ConversationEngines(Protocol):
    """The engines a conversation runs on. The process's EngineRegistry is one; a test hands
    its own set instead of patching a global."""

    def stt(self) -> Any: ...

    def vad(self) -> Any: ...

    def llm(self, name: str | None = None) -> Any: ...

    def tts_for(self, language: str, voices: Mapping[str, str] | None = None) -> tuple[Any, str | None]: ...


@dataclass(frozen=True)
class TurnRequest:
    """An utterance to answer: speech (16 kHz PCM16) or typed text."""

    received_at: float  # time.monotonic() when end_utterance / text / end of speech arrived
    input_mode: str  # Turn.InputMode
    pcm: bytes = b""
    text: str = ""
    # Stream endpoint: audio time between the last voiced sample and the detected end of turn.
    trailing_silence_ms: int | None = None
    # Set when transcription started during speech: it finishes the utterance's transcript.
    transcriber: UtteranceTranscriber | None = None
    # Set when a reply was begun at the learner's last pause and nothing was said after it: the
    # speculation (None inside when it could not be prepared; the transcriber then finishes).
    speculation: "asyncio.Task[PreparedReply | None] | None" = None
    turn_id: uuid.UUID = field(default_factory=uuid.uuid4)


class TurnError(Exception):
    """A turn failed in a way the client is told about (`code` is PROTOCOL.md's)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class TurnResult:
    """What a turn came to, for whoever asked for it (the socket has already been sent it as events)."""

    turn_id: uuid.UUID
    transcript: str
    reply: str  # what the learner heard: an interrupted reply only up to the barge-in
    metrics: dict[str, Any]
    interrupted: bool = False
    error: TurnError | None = None


@dataclass
class TurnOutput:
    """How a turn talks to its socket."""

    send_event: Callable[[dict[str, Any]], Awaitable[None]]
    send_audio: Callable[[Audio], Awaitable[None]]
    wants: Callable[[str], bool]  # is this extension event asked for?


@dataclass
class _TurnProgress:
    request: TurnRequest
    output: TurnOutput
    metrics: dict[str, Any] = field(default_factory=dict)
    spoken: list[str] = field(default_factory=list)
    prepared: "PreparedReply | None" = None  # the speculation the turn adopted
    # A sentence that could not be spoken (tts_failed) in a turn that otherwise went on.
    partial_failure: TurnError | None = None

    @property
    def turn_id(self) -> str:
        return str(self.request.turn_id)

    def elapsed_ms(self) -> int:
        return round((time.monotonic() - self.request.received_at) * 1000)

    async def mark(self, stage: str, *, at: float | None = None) -> None:
        """Record the first time a stage is reached (``at``: when, if earlier than now; a stage
        reached before the turn ended, by a prepared reply, counts as 0 ms)."""
        key = f"{stage}_ms"
        if key in self.metrics:
            return
        self.metrics[key] = self.elapsed_ms() if at is None else max(0, round((at - self.request.received_at) * 1000))
        if self.output.wants("metrics"):
            await self.output.send_event(metrics_event(turn_id=self.turn_id, stage=stage, ms=self.metrics[key]))


@dataclass(frozen=True)
class ReplySentence:
    """One sentence of a reply and its audio; ``failure`` instead of audio when it could not
    be synthesized (the learner still gets its text)."""

    text: str
    audio: Audio | None
    failure: TurnError | None = None


class ReplyInProgress:
    """A reply written by the language model and synthesized sentence by sentence (sentence k
    while the model writes k+1), each audio waiting in order until it is sent. A turn begins
    one once it knows the learner's words; a speculation begins one at the learner's pause,
    before the turn is sure to end there, and the turn adopts it or it is dropped.

    ``token_timeout`` bounds the wait for each next piece of text: a model that stops writing
    (or never starts) fails the reply with ``llm_timeout`` instead of holding the turn."""

    def __init__(
        self,
        *,
        llm: Any,
        tts: Any,
        voice: str | None,
        speed: float,
        language: str,
        messages: list[ChatMessage],
        token_timeout: float,
    ) -> None:
        self.llm, self.tts, self.voice, self.speed = llm, tts, voice, speed
        self.language, self.messages, self.token_timeout = language, messages, token_timeout
        self.ready: asyncio.Queue[ReplySentence | None] = asyncio.Queue()
        self.reached: dict[str, float] = {}  # stage -> time.monotonic() it was first reached
        self.deltas: list[str] = []
        self.failure: TurnError | None = None
        self._progress: _TurnProgress | None = None
        # A speculation is begun at a lower priority than a turn's reply until a turn adopts it.
        self.priority = current_priority()
        self._task = asyncio.create_task(self._produce())

    async def attach(self, progress: _TurnProgress) -> None:
        """From now on, stages and text deltas are the turn's (those already reached are
        marked, the text written so far goes out as one delta)."""
        backlog, self._progress = "".join(self.deltas), progress  # no await in between
        self.priority = Priority.FIRST_AUDIO  # the learner now waits for it
        if backlog and progress.output.wants("npc_text_delta"):
            await progress.output.send_event(npc_text_delta_event(text=backlog, turn_id=progress.turn_id))
        for stage, at in list(self.reached.items()):
            await progress.mark(stage, at=at)

    async def next(self) -> ReplySentence | None:
        """The next sentence; None at the end (raises the reply's TurnError, once the sentences
        written before the failure are all out)."""
        item = await self.ready.get()
        if item is None and self.failure is not None:
            raise self.failure
        return item

    async def cancel(self) -> None:
        if not self._task.done():
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task

    async def _reach(self, stage: str) -> None:
        self.reached.setdefault(stage, time.monotonic())
        if self._progress is not None:
            await self._progress.mark(stage)

    async def _next_delta(self, deltas: AsyncIterator[str]) -> str | None:
        """The model's next piece of text (None at its end), waited for at most token_timeout."""
        try:
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for would step the stream in a
            # task of its own, and the SDKs' streams must be stepped by one task.
            async with asyncio.timeout(self.token_timeout):
                return await anext(deltas, None)
        except TimeoutError:
            raise TurnError(
                "llm_timeout", f"The language model did not answer in time (no text for {self.token_timeout:g} s)."
            ) from None

    async def _produce(self) -> None:
        sentences: asyncio.Queue[str | None] = asyncio.Queue()

        async def write() -> None:
            segmenter = SentenceSegmenter()
            complete = 0
            try:
                engine_priority_set(self.priority)  # this task's: the model is queued at the first delta
                async with aclosing(self.llm.stream(self.messages, max_tokens=REPLY_MAX_TOKENS)) as deltas:
                    while (delta := await self._next_delta(deltas)) is not None:
                        await self._reach("llm_first_token")
                        self.deltas.append(delta)
                        progress = self._progress
                        if progress is not None and progress.output.wants("npc_text_delta"):
                            event = npc_text_delta_event(text=delta, turn_id=progress.turn_id)
                            await progress.output.send_event(event)
                        for sentence in segmenter.feed(delta):
                            await self._reach("first_sentence")
                            sentences.put_nowait(sentence)
                            complete += sentence_is_complete(sentence)
                            if complete == REPLY_MAX_SENTENCES:
                                return  # closing the stream stops the model at its next token
                if rest := segmenter.flush():
                    await self._reach("first_sentence")
                    sentences.put_nowait(rest)
            # Not raised: the sentences already written are still synthesized and spoken first.
            except TurnError as exc:
                self.failure = exc
            except EngineTimeoutError as exc:  # the engine's own timeout (SDK, executor): the same fault
                self.failure = TurnError("llm_timeout", f"The language model did not answer in time: {exc}")
            except EngineError as exc:
                self.failure = TurnError("llm_unavailable", f"The language model failed: {exc}")
            except Exception:
                # A bug in an engine must not end the reply silently, as if it had been complete.
                logger.exception("The language model's stream failed")
                self.failure = TurnError("server_error", "The server could not complete this reply.")
            finally:
                sentences.put_nowait(None)

        async def synthesize() -> None:
            later = False
            while (sentence := await sentences.get()) is not None:
                # The first sentence is what the learner waits for; the next ones play after it.
                engine_priority_set(max(self.priority, Priority.REPLY_REST) if later else self.priority)
                later = True
                try:
                    audio = await self.tts.synthesize(
                        sentence, language=self.language, voice=self.voice, speed=self.speed
                    )
                except Exception as exc:
                    # One sentence lost, not the reply: the others are still spoken.
                    if not isinstance(exc, EngineError):
                        logger.exception("Speech synthesis of a sentence failed")
                    failure = TurnError("tts_failed", f"Speech synthesis failed for one sentence: {exc}")
                    self.ready.put_nowait(ReplySentence(text=sentence, audio=None, failure=failure))
                    continue
                self.ready.put_nowait(ReplySentence(text=sentence, audio=audio))

        try:
            async with asyncio.TaskGroup() as group:
                group.create_task(write())
                group.create_task(synthesize())
        finally:
            self.ready.put_nowait(None)


@dataclass(frozen=True)
class PreparedReply:
    """A speculation the turn adopts: the transcript up to the pause and the reply begun on it."""

    transcript: str
    reply: ReplyInProgress


@dataclass
class SpeculationStats:
    """This process's speculations: adopted (hits), dropped or unusable (misses), and the
    seconds of work the misses cost (from the pause to the drop)."""

    hits: int = 0
    misses: int = 0
    wasted_seconds: float = 0.0

    def as_dict(self) -> dict[str, float]:
        tried = self.hits + self.misses
        return {
            "hits": self.hits,
            "misses": self.misses,
            "hit_rate": round(self.hits / tried, 3) if tried else 0.0,
            "wasted_seconds": round(self.wasted_seconds, 1),
        }


SPECULATION = SpeculationStats()


async def speculation_adopt(speculation: asyncio.Task[PreparedReply | None]) -> PreparedReply | None:
    """The prepared reply of a speculation the turn can use, or None (counted as a miss)."""
    try:
        prepared = await speculation
    except asyncio.CancelledError:
        current = asyncio.current_task()
        if current is not None and current.cancelling():
            raise  # the turn itself is being cancelled, not only its head start
        prepared = None
    except Exception as exc:  # only a head start: the turn does the work itself
        logger.info("A speculation could not be used: %s", exc)
        prepared = None
    if prepared is None:
        SPECULATION.misses += 1
    else:
        SPECULATION.hits += 1
    return prepared


async def speculation_drop(speculation: asyncio.Task[PreparedReply | None], *, started_at: float) -> None:
    """The learner spoke again after the pause: nothing of this speculation is ever sent."""
    SPECULATION.misses += 1
    speculation.cancel()
    try:
        prepared = await speculation
    except (asyncio.CancelledError, Exception):
        prepared = None
    if prepared is not None:
        await prepared.reply.cancel()
    SPECULATION.wasted_seconds += time.monotonic() - started_at


_P = ParamSpec("_P")
_R = TypeVar("_R")


def _reconnecting(write: Callable[_P, _R]) -> Callable[_P, _R]:
    """A turn's first database write, tried once more on a fresh connection when the one it
    found was ended by a database restart: seen in the tests (a socket's first turn after an
    outage met its dead connection although Channels checks connections around each call), and
    the learner's words are worth a reconnect. Still down: the error stands (`server_error`)."""

    def call(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return write(*args, **kwargs)
        except (OperationalError, InterfaceError):
            close_old_connections()  # a connection with errors that fails its check is closed
            return write(*args, **kwargs)

    return call


class TurnOrchestrator:
    """Runs the turns of one socket, one at a time."""

    def __init__(
        self,
        *,
        engines: ConversationEngines,
        output: TurnOutput,
        player: Player,
        npc: NPC,
        conversation: Conversation,
        language: str,
        prefill_next_turn: bool = False,
    ) -> None:
        self.engines = engines
        # A socket's next turn comes seconds later: the model can read its prompt's start meanwhile.
        self.prefill_next_turn = prefill_next_turn
        self._prefill: asyncio.Task | None = None
        self.output = output
        self.player = player
        self.npc = npc
        self.conversation = conversation
        self.language = language
        self._interrupted = asyncio.Event()
        self._abandoned = False
        self._next_index = 0

    def interrupt(self) -> None:
        """Barge-in: stop the current reply at the next token or sentence boundary."""
        self._interrupted.set()

    def abandon(self) -> None:
        """The client went away: the learner's words are still transcribed, stored and
        checked, but no reply is written for nobody (one being spoken stops)."""
        self._abandoned = True
        self._interrupted.set()

    async def run(self, request: TurnRequest) -> TurnResult:
        if not self._abandoned:
            self._interrupted = asyncio.Event()
        index, self._next_index = self._next_index, self._next_index + 1
        progress = _TurnProgress(request=request, output=self.output)
        transcript, audio_in_ms, record = "", None, None
        status, error, interrupted = Turn.Status.COMPLETED, None, False
        try:
            transcript, audio_in_ms = await self._transcribe(progress)
            await self.output.send_event(
                transcription_event(text=transcript, turn_id=progress.turn_id, language=self.language)
            )
            record = await self._record(index=index, request=request, transcript=transcript, audio_in_ms=audio_in_ms)
            if self._abandoned:
                status = Turn.Status.INTERRUPTED
            elif transcript:
                interrupted = await self._respond(progress=progress, transcript=transcript)
                status = Turn.Status.INTERRUPTED if interrupted else Turn.Status.COMPLETED
                error = progress.partial_failure  # stored with the turn, already sent as it happened
                await self.output.send_event(npc_text_event(text=" ".join(progress.spoken), turn_id=progress.turn_id))
        except TurnError as exc:
            status, error = Turn.Status.FAILED, exc
            if progress.spoken:  # the sentences heard before the failure, as the reply's text
                await self.output.send_event(npc_text_event(text=" ".join(progress.spoken), turn_id=progress.turn_id))
            await self.output.send_event(error_event(code=exc.code, message=exc.message))
        except asyncio.CancelledError:
            status = Turn.Status.INTERRUPTED  # the client went away mid-turn
            raise
        except Exception:
            # Anything else (a store or service that is down): the turn is stored as failed and
            # the client gets an error and its turn_complete, never a completed turn with nothing.
            logger.exception("Turn %s failed", progress.turn_id)
            error = TurnError("server_error", "The server could not complete this turn.")
            status = Turn.Status.FAILED
            await self.output.send_event(error_event(code=error.code, message=error.message))
        finally:
            if progress.prepared is not None:
                await progress.prepared.reply.cancel()  # a turn that failed before speaking it
            # Also when the client went away mid-turn: store what happened, send nothing more.
            metrics = self._final_metrics(progress=progress, audio_in_ms=audio_in_ms)
            await self._store(
                index=index,
                request=request,
                record=record,
                transcript=transcript,
                audio_in_ms=audio_in_ms,
                progress=progress,
                metrics=metrics,
                status=status,
                error_code=error.code if error else "",
            )
        await self.output.send_event(
            turn_complete_event(turn_id=progress.turn_id, metrics=metrics, interrupted=interrupted)
        )
        if self.prefill_next_turn and transcript and progress.spoken and not self._abandoned:
            self._prefill = asyncio.create_task(self._prefill_next_prompt())
        return TurnResult(
            turn_id=request.turn_id,
            transcript=transcript,
            reply=" ".join(progress.spoken),
            metrics=metrics,
            interrupted=interrupted,
            error=error,
        )

    def prefill_prompt(self) -> None:
        """Have the model read this NPC's prompt (persona, prices, example exchange, history)
        now, in the background: a session calls it when its socket opens, so that the first
        turn, like the later ones, reads only the learner's words."""
        if self._prefill is None or self._prefill.done():
            self._prefill = asyncio.create_task(self._prefill_next_prompt())

    async def _prefill_next_prompt(self) -> None:
        """The next prompt starts with the persona, the world and the history, which now
        ends with this turn: the model reads them while the learner thinks and speaks."""
        try:
            messages = await self._prompt(transcript="")
            with engine_priority(Priority.BACKGROUND):
                await self.engines.llm().prefill(messages[:-1])
        except Exception as exc:  # only a head start: the next turn reads the prompt anyway
            logger.info("Could not prefill the next prompt: %s", exc)

    async def close(self) -> None:
        if self._prefill is not None and not self._prefill.done():
            self._prefill.cancel()
            with suppress(asyncio.CancelledError):
                await self._prefill

    async def _transcribe(self, progress: _TurnProgress) -> tuple[str, int | None]:
        request = progress.request
        if request.input_mode == Turn.InputMode.TEXT:
            return request.text, None
        audio_in_ms = pcm16_duration_ms(pcm=request.pcm, sample_rate=SPEECH_SAMPLE_RATE)
        if request.speculation is not None:
            progress.prepared = await speculation_adopt(request.speculation)
            if progress.prepared is not None:
                await progress.mark("stt")
                return progress.prepared.transcript, audio_in_ms
        if not request.pcm:
            return "", audio_in_ms
        try:
            if request.transcriber is not None:
                text = await request.transcriber.finish(pcm=request.pcm)
            else:
                text = (await self.engines.stt().transcribe(request.pcm, language=self.language)).text
        except BadInputError as exc:
            raise TurnError("bad_audio", f"The audio could not be used: {exc}") from exc
        except EngineError as exc:
            raise TurnError("stt_failed", f"Speech recognition failed: {exc}") from exc
        await progress.mark("stt")
        return text.strip(), audio_in_ms

    async def _record(self, *, index: int, request: TurnRequest, transcript: str, audio_in_ms: int | None) -> Turn:
        turn = await database_sync_to_async(_reconnecting(turn_record))(
            conversation=self.conversation,
            index=index,
            turn_uuid=request.turn_id,
            transcript=transcript,
            language=self.language,
            input_mode=request.input_mode,
            audio_in_ms=audio_in_ms,
        )
        if transcript:
            # Committed by now: the grammar room can have it checked (never awaited here).
            await turn_recorded_announce(turn_id=turn.pk)
        return turn

    async def _respond(self, *, progress: _TurnProgress, transcript: str) -> bool:
        """Speak the reply (the prepared one when the turn has it); returns whether the learner
        interrupted it."""
        prepared = progress.prepared
        reply = prepared.reply if prepared is not None else await self.reply_begin(transcript=transcript)
        speaking = asyncio.create_task(self._speak_reply(progress=progress, reply=reply))
        barge_in = asyncio.create_task(self._interrupted.wait())
        try:
            await asyncio.wait({speaking, barge_in}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            barge_in.cancel()
            if not speaking.done():
                speaking.cancel()
                with suppress(asyncio.CancelledError):
                    await speaking
            await reply.cancel()
        if speaking.cancelled():
            return True
        speaking.result()  # re-raises the TurnError of a failed reply
        return False

    async def reply_begin(self, *, transcript: str) -> ReplyInProgress:
        """Begin the reply to ``transcript`` (a speculation calls this at a pause)."""
        messages = await self._prompt(transcript=transcript)
        tts, voice = self.engines.tts_for(self.language, self.npc.voice)
        return ReplyInProgress(
            llm=self.engines.llm(),
            tts=tts,
            voice=voice,
            speed=speed_for_level(self.player.proficiency_level),  # slower for A1-A2 learners
            language=self.language,
            messages=messages,
            # The engines' own timeout: a model that stops writing is an engine that hangs.
            token_timeout=float(settings.VIRTULINGO_ENGINE_TIMEOUT_SECONDS),
        )

    async def _prompt(self, *, transcript: str) -> list[ChatMessage]:
        store = get_world_state_store()
        state, history, score, _ = await asyncio.gather(
            store.state_get(player_id=self.player.player_id),
            store.history_list(player_id=self.player.player_id, npc_id=self.npc.npc_id),
            database_sync_to_async(relationship_score)(player=self.player, npc=self.npc),
            # the prompt is written in the NPC's language, its scene included
            database_sync_to_async(npc_scene_translations_load)(npc=self.npc),
        )
        others = [npc_id for npc_id in state.nearby_npcs if npc_id != self.npc.npc_id]
        nearby_names = await database_sync_to_async(npc_names)(npc_ids=others) if others else []
        return npc_prompt_messages(
            npc=self.npc,
            language=self.language,
            player_level=self.player.proficiency_level,
            utterance=transcript,
            relationship=relationship_describe(score=score),
            world_state=state,
            nearby_names=nearby_names,
            history=history,
        )

    async def _speak_reply(self, *, progress: _TurnProgress, reply: ReplyInProgress) -> None:
        await reply.attach(progress)
        while (sentence := await reply.next()) is not None:
            if sentence.failure is not None:
                # Its text still reaches the learner in npc_text; the turn goes on.
                await self.output.send_event(error_event(code=sentence.failure.code, message=sentence.failure.message))
                progress.partial_failure = progress.partial_failure or sentence.failure
            if sentence.audio is not None:
                await self.output.send_audio(sentence.audio)
                await progress.mark("first_audio")
            progress.spoken.append(sentence.text)

    def _final_metrics(self, *, progress: _TurnProgress, audio_in_ms: int | None) -> dict[str, Any]:
        metrics = {**progress.metrics, "total_ms": progress.elapsed_ms(), "audio_in_ms": audio_in_ms}
        silence = progress.request.trailing_silence_ms
        if silence is not None and "first_audio_ms" in metrics:
            metrics["speech_end_to_first_audio_ms"] = metrics["first_audio_ms"] + silence
        if progress.request.speculation is not None:
            metrics["speculation"] = "hit" if progress.prepared is not None else "miss"
        metrics["engines"] = self._engine_names(progress=progress)
        return metrics

    def _engine_names(self, *, progress: _TurnProgress) -> dict[str, str]:
        names = {"llm": self.engines.llm().name, "tts": self.engines.tts_for(self.language, self.npc.voice)[0].name}
        if progress.request.input_mode == Turn.InputMode.SPEECH:
            names["stt"] = self.engines.stt().name
        return names

    async def _store(
        self,
        *,
        index: int,
        request: TurnRequest,
        record: Turn | None,
        transcript: str,
        audio_in_ms: int | None,
        progress: _TurnProgress,
        metrics: dict[str, Any],
        status: str,
        error_code: str,
    ) -> None:
        heard = " ".join(progress.spoken)
        try:
            if record is None:
                record = await self._record(
                    index=index, request=request, transcript=transcript, audio_in_ms=audio_in_ms
                )
            await database_sync_to_async(turn_finish)(
                turn=record,
                npc_reply=heard,
                metrics=metrics,
                engines=metrics["engines"],
                status=status,
                error_code=error_code,
            )
            if transcript and heard:
                try:
                    # History keeps what the learner heard: an interrupted reply only up to the barge-in.
                    await get_world_state_store().history_append(
                        player_id=self.player.player_id,
                        npc_id=self.npc.npc_id,
                        exchange=HistoryExchange(player_text=transcript, npc_text=heard),
                    )
                except Exception as exc:  # Redis down: the turn and the relationship are still stored
                    logger.warning("history of turn %s not kept (%s)", progress.turn_id, exc)
            if transcript and status == Turn.Status.COMPLETED:
                await database_sync_to_async(relationship_apply_turn)(
                    player=self.player, npc=self.npc, utterance=transcript
                )
        except Exception:
            # Storing must never cost the learner their turn_complete.
            logger.exception("Could not store turn %s", progress.turn_id)
