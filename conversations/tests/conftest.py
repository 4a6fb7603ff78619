"""Fixtures for the voice loop: the process's real engines, real synthesized speech,
and sockets through the project's real ASGI application (middleware included)."""

import asyncio
import json
from collections.abc import AsyncIterator, Sequence
from functools import cache

import pytest
import pytest_asyncio
from channels.testing import WebsocketCommunicator
from django.conf import settings

from conversations.audio import pcm16_resample
from grammar import services as grammar_services
from grammar.tests.celery_worker import grammar_worker_shared
from virtulingo.asgi import application
from virtulingo.engines.errors import EngineUnreachableError
from virtulingo.engines.interfaces import ChatMessage
from virtulingo.engines.registry import get_registry

# Unity sends 4096 samples of 16 kHz PCM16 per binary frame.
UNITY_FRAME_BYTES = 8192
RECEIVE_TIMEOUT_SECONDS = 120


@pytest.fixture(scope="session")
def engines():
    """The real embedded engines every socket of this process uses, loaded once."""
    registry = get_registry()
    registry.warmup_sync(roles=("stt", "llm", "tts", "grammar"))
    return registry


@cache
def _speech(text: str) -> bytes:
    audio = get_registry().tts("piper").synthesize_sync(text, language="en")
    return pcm16_resample(pcm=audio.pcm, from_rate=audio.sample_rate, to_rate=16000)


@pytest.fixture(scope="session")
def speech(engines):
    """16 kHz PCM16 of an English sentence spoken by Piper (made once per text)."""
    return _speech


def unity_frames(pcm: bytes) -> list[bytes]:
    """Like the Unity client: whole 8192-byte frames, the last partial chunk dropped."""
    return [pcm[i : i + UNITY_FRAME_BYTES] for i in range(0, len(pcm) - UNITY_FRAME_BYTES + 1, UNITY_FRAME_BYTES)]


@pytest.fixture
def baker(transactional_db):
    """The English baker the Unity client talks to by default (committed: sockets and workers see it)."""
    from npcs.tests.factories import NPCFactory

    return NPCFactory(npc_id="baker_01", name="Tom", language="en", voice={"piper": ""})


@pytest_asyncio.fixture
async def connect(grammar_worker):
    """Open sockets through the real ASGI app; every one is disconnected at the end."""
    opened: list[WebsocketCommunicator] = []

    async def open_socket(path: str, *, headers: Sequence[tuple[bytes, bytes]] = ()) -> WebsocketCommunicator:
        communicator = WebsocketCommunicator(application, path, headers=list(headers))
        connected, _ = await communicator.connect(timeout=30)
        assert connected
        opened.append(communicator)
        return communicator

    yield open_socket
    for communicator in opened:
        await communicator.disconnect(timeout=30)
    # Let background grammar checks of this test finish before its data is flushed.
    if grammar_services._background_checks:
        await asyncio.gather(*grammar_services._background_checks, return_exceptions=True)


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

    async def warmup(self) -> None:
        return None

    async def prefill(self, messages) -> None:
        self.prefilled.append(list(messages))

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


@pytest.fixture
def use_language_model(engines, monkeypatch):
    """Replace the process's language model with a test double for this test."""

    def install(model) -> None:
        monkeypatch.setattr(engines, "llm", lambda name=None: model)

    return install


@pytest.fixture(scope="session")
def grammar_worker(django_db_setup):
    """With a broker configured, a real Celery worker process on the test database checks the turns
    (one per test run, shared with the grammar tests)."""
    if not settings.CELERY_ENABLED:
        yield None
        return
    with grammar_worker_shared() as worker:
        yield worker
