"""Helpers for the voice-loop tests: Unity-style frames, reading a turn off a socket,
synthesized speech and language-model test doubles. Imported by tests; fixtures live in
conversations/tests/fixtures.py."""

import asyncio
import json
import os
import re
import struct
from collections.abc import AsyncIterator, Sequence
from functools import cache
from pathlib import Path

import numpy as np
from channels.testing import WebsocketCommunicator

from conversations.models import Conversation
from conversations.protocol import server_event_validate
from engines.errors import EngineUnavailableError, EngineUnreachableError
from engines.interfaces import Audio, ChatMessage, Transcript
from engines.registry import get_registry
from engines.scheduling import Priority, current_priority
from engines.vad_silero import WINDOW_SAMPLES
from vocabulary.audio import SPEECH_SAMPLE_RATE, pcm16_resample

# How many cases the property and fuzz tests run, as a multiple of the suite's (sized for seconds
# on two shared cores): VIRTULINGO_FUZZ_SCALE=20 for a deeper run.
FUZZ_SCALE = int(os.environ.get("VIRTULINGO_FUZZ_SCALE", "1"))

# Unity sends 4096 samples of 16 kHz PCM16 per binary frame.
UNITY_FRAME_BYTES = 8192
UNITY_FRAME = b"\x00\x01" * (UNITY_FRAME_BYTES // 2)  # 256 ms of 16 kHz speech, as the Unity client sends
RECEIVE_TIMEOUT_SECONDS = 120
PROTOCOL_DOC = Path(__file__).resolve().parents[2] / "docs" / "PROTOCOL.md"


@cache
def documented_error_codes() -> frozenset[str]:
    """Every `code` PROTOCOL.md names in backquotes: what a client may be sent."""
    return frozenset(re.findall(r"`([a-z_]+)`", PROTOCOL_DOC.read_text(encoding="utf-8")))


@cache
def synthesized_speech(text: str) -> bytes:
    audio = get_registry().tts("piper").synthesize_sync(text, language="en")
    return pcm16_resample(pcm=audio.pcm, from_rate=audio.sample_rate, to_rate=16000)


def unity_frames(pcm: bytes) -> list[bytes]:
    """Like the Unity client: whole 8192-byte frames, the last partial chunk dropped."""
    return [pcm[i : i + UNITY_FRAME_BYTES] for i in range(0, len(pcm) - UNITY_FRAME_BYTES + 1, UNITY_FRAME_BYTES)]


def assert_canonical_wav(frame: bytes) -> int:
    """The header the Unity client reads at fixed offsets; returns the sample rate."""
    assert frame[:4] == b"RIFF" and frame[8:16] == b"WAVEfmt "
    channels, sample_rate = struct.unpack_from("<HI", frame, 22)
    (bits,) = struct.unpack_from("<H", frame, 34)
    assert (channels, bits) == (1, 16)
    assert frame[36:40] == b"data"
    assert struct.unpack_from("<I", frame, 40)[0] == len(frame) - 44
    return sample_rate


async def stored_turns(player_id: str = "learner"):
    conversation = await Conversation.objects.select_related("player").aget(player__player_id=player_id)
    return [turn async for turn in conversation.turns.order_by("index")]


async def receive_turn(communicator: WebsocketCommunicator) -> list[dict | bytes]:
    """Everything the server sends up to and including turn_complete (events as dicts, audio as bytes)."""
    received: list[dict | bytes] = []
    while True:
        output = await communicator.receive_output(timeout=RECEIVE_TIMEOUT_SECONDS)
        if output["type"] == "websocket.close":
            raise AssertionError(f"socket closed with {output.get('code')} after {received}")
        if output.get("bytes") is not None:
            received.append(output["bytes"])
            continue
        event = json.loads(output["text"])
        received.append(event)
        if event["type"] == "turn_complete":
            return received


def events_of(received: list[dict | bytes], kind: str | None = None) -> list[dict]:
    return [item for item in received if isinstance(item, dict) and (kind is None or item["type"] == kind)]


def audio_of(received: list[dict | bytes]) -> list[bytes]:
    return [item for item in received if isinstance(item, bytes)]


class ScriptedLanguageModel:
    """Test double: writes the given deltas, optionally holding after `hold_after` of them until released."""

    name = "scripted"
    state = "ready"
    reason = ""

    def __init__(self, deltas: Sequence[str], *, hold_after: int | None = None) -> None:
        self.deltas = list(deltas)
        self.hold_after = hold_after
        self.release = asyncio.Event()
        self.held = asyncio.Event()
        self.messages: list[ChatMessage] = []
        self.prefilled: list[list[ChatMessage]] = []
        self.prefill_priorities: list[Priority] = []  # the engines' priority of each prefill

    async def warmup(self) -> None:
        return None

    async def prefill(self, messages) -> None:
        self.prefilled.append(list(messages))
        self.prefill_priorities.append(current_priority())

    async def stream(self, messages, *, temperature: float = 0.8, max_tokens: int = 200) -> AsyncIterator[str]:
        self.messages = list(messages)
        for index, delta in enumerate(self.deltas):
            if index == self.hold_after:
                self.held.set()
                await self.release.wait()
            yield delta

    async def complete_json(self, messages, *, schema, temperature: float = 0.2, max_tokens: int = 400) -> dict:
        raise AssertionError("not used by the voice loop")


class UnreachableLanguageModel(ScriptedLanguageModel):
    """Test double: a cloud model that cannot be reached."""

    def __init__(self) -> None:
        super().__init__([])

    async def stream(self, messages, *, temperature: float = 0.8, max_tokens: int = 200) -> AsyncIterator[str]:
        raise EngineUnreachableError("the language model server did not answer")
        yield  # an async generator, like the real engines


class CheckedCommunicator(WebsocketCommunicator):
    """A test socket that checks every JSON event it receives against the protocol's models
    (Zulip's event-test pattern): a field that drifts from docs/PROTOCOL.md fails the test
    that received it."""

    async def receive_output(self, timeout: float = 1) -> dict:
        output = await super().receive_output(timeout)
        text = output.get("text")
        if output.get("type") == "websocket.send" and text and text.startswith("{"):
            server_event_validate(json.loads(text))
        return output


class ScriptedVoiceActivity:
    """Test double for a Silero stream: a window is voiced when its first sample is non-zero."""

    def __init__(self) -> None:
        self._pending = np.zeros(0, dtype=np.float32)

    def probabilities(self, samples: np.ndarray) -> list[float]:
        audio = np.concatenate([self._pending, samples])
        whole = len(audio) // WINDOW_SAMPLES * WINDOW_SAMPLES
        self._pending = audio[whole:]
        return [0.9 if audio[i] != 0 else 0.05 for i in range(0, whole, WINDOW_SAMPLES)]


class ScriptedVAD:
    """Test double for the VAD engine: streams of ScriptedVoiceActivity."""

    async def ensure_loaded(self) -> None:
        return None

    def stream(self) -> ScriptedVoiceActivity:
        return ScriptedVoiceActivity()


def voiced(ms: int) -> bytes:
    """16 kHz PCM16 that ScriptedVoiceActivity hears as speech."""
    return np.full(ms * SPEECH_SAMPLE_RATE // 1000, 1000, dtype="<i2").tobytes()


def silence(ms: int) -> bytes:
    return bytes(ms * SPEECH_SAMPLE_RATE // 1000 * 2)


# --- engine doubles a voice session is handed (no registry patched) ---

TONE = Audio(pcm=b"\x10\x00" * 1600, sample_rate=22050)


class SilentTTS:
    """Test double: 0.07 s of audio per sentence, remembering what it was asked to say."""

    name = "silent"

    def __init__(self) -> None:
        self.sentences: list[str] = []

    async def synthesize(self, text: str, *, language: str, voice: str | None = None, speed: float = 1.0) -> Audio:
        self.sentences.append(text)
        return TONE


class CountingSTT:
    """Test double: hears "bread" in any audio, optionally only once released; remembers how much audio it got."""

    name = "counting"

    def __init__(self, *, held: bool = False) -> None:
        self.heard_bytes: list[int] = []
        self.release = asyncio.Event()
        if not held:
            self.release.set()

    async def transcribe(self, pcm: bytes, *, language: str) -> Transcript:
        await self.release.wait()
        self.heard_bytes.append(len(pcm))
        return Transcript(text="Two loaves of bread, please.", language=language, audio_seconds=len(pcm) / 32000)


class MissingVAD:
    async def ensure_loaded(self) -> None:
        raise EngineUnavailableError("onnxruntime is not installed")


class HandedEngines:
    """The engine set a session is given: here, test doubles only."""

    def __init__(self, *, llm, tts, vad=None, stt=None) -> None:
        self._llm, self._tts, self._vad, self._stt = llm, tts, vad or MissingVAD(), stt

    def stt(self):
        assert self._stt is not None, "this test sends no speech"
        return self._stt

    def vad(self):
        return self._vad

    def llm(self, name=None):
        return self._llm

    def tts_for(self, language, voices=None):
        return self._tts, None


class RecordingTransport:
    def __init__(self) -> None:
        self.sent: list[dict | bytes] = []
        self.closed_with: list[int] = []

    async def send_event(self, event: dict) -> None:
        # What goes on the wire must be a valid event of the published schema.
        server_event_validate(json.loads(json.dumps(event)))
        self.sent.append(event)

    async def send_bytes(self, data: bytes) -> None:
        self.sent.append(data)

    async def close(self, code: int) -> None:
        self.closed_with.append(code)

    def events(self, kind: str) -> list[dict]:
        return [item for item in self.sent if isinstance(item, dict) and item["type"] == kind]
