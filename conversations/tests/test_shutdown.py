"""A server stopped with SIGTERM while sockets hold a turn and an utterance (issue 13).

A real Daphne process on the test database, with no broker (checks in the server process).
Its language model is an OpenAI-compatible server of this test that answers after a delay, so
the typed turn is still waiting for its reply when the signal comes. One learner has sent that
turn; another is in the middle of an utterance (audio sent, no `end_utterance`).

Before: Daphne cancelled every application instance; both sockets were dropped without a word,
the reply, the unfinished utterance and the conversations' end were lost.
"""

import asyncio
import json
import signal
import time
import urllib.request

import pytest
import websockets
from django.db import connection

from conversations.models import Conversation, Turn
from conversations.protocol import server_event_validate
from conversations.tests.daphne_servers import DaphneServer, server_environment
from conversations.tests.helpers import synthesized_speech, unity_frames
from engines.tests.fake_server import FakeServer, Reply, delta
from grammar.models import GrammarCheck
from grammar.tests.celery_worker import shared_test_database_url

pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.models,  # a server process that loads speech-to-text, the voice and Harper
    pytest.mark.django_db(transaction=True),  # the server sees committed rows only
]

GRACE_SECONDS = 30
REPLY_DELAY_SECONDS = 5  # the model answers this long after the request: the turn is in flight
EVENT_TIMEOUT_SECONDS = 180  # bounds on waiting, never measured times
EXIT_TIMEOUT_SECONDS = 120
REPLY = "Good morning! What would you like?"


def _test_database_url() -> str:
    if connection.vendor == "sqlite":
        return f"sqlite:///{connection.settings_dict['NAME']}"
    return shared_test_database_url()


async def _next_event(ws) -> dict:
    while True:
        frame = await asyncio.wait_for(ws.recv(), EVENT_TIMEOUT_SECONDS)
        if isinstance(frame, str):
            event = json.loads(frame)
            server_event_validate(event)
            return event


async def _events_until_closed(ws) -> list[dict]:
    events = []
    try:
        while True:
            events.append(await _next_event(ws))
    except websockets.ConnectionClosed:
        return events


async def _joined(ws) -> None:
    """The ping is answered after every frame sent before it was handled."""
    await ws.send('{"type":"ping"}')
    assert await _next_event(ws) == {"type": "pong"}


WARM_ENGINES = {"stt": "faster-whisper", "llm": "openai", "tts": "piper", "grammar": "harper"}


def _wait_until_warm(daphne: DaphneServer) -> None:
    """Until the engines a turn uses are loaded: a turn must not spend the grace period loading them."""
    deadline = time.monotonic() + EVENT_TIMEOUT_SECONDS
    while True:
        with urllib.request.urlopen(f"http://127.0.0.1:{daphne.port}/health", timeout=10) as response:
            engines = json.load(response)["engines"]
        states = {
            role: {engine["engine"]: engine["state"] for engine in engines.get(role, [])} for role in WARM_ENGINES
        }
        if all(states[role].get(name) == "ready" for role, name in WARM_ENGINES.items()):
            return
        assert time.monotonic() < deadline, f"engines not ready: {states}"
        time.sleep(0.5)


@pytest.fixture
def language_model():
    with FakeServer() as server:
        yield server


@pytest.fixture
def server(baker, language_model, tmp_path):
    env = server_environment(
        _test_database_url(),
        VIRTULINGO_LLM="openai",
        OPENAI_BASE_URL=f"{language_model.url}/v1",
        OPENAI_API_KEY="sk-test",
        OPENAI_MODEL="scripted",
        VIRTULINGO_SHUTDOWN_GRACE_SECONDS=str(GRACE_SECONDS),
        # A reply begun at a pause of the speaking learner would take the typed turn's scripted reply.
        VIRTULINGO_SPECULATIVE_REPLIES="0",
    )
    daphne = DaphneServer(env=env, log=tmp_path / "daphne.log")
    try:
        daphne.wait_until_healthy()
        _wait_until_warm(daphne)
        yield daphne
    finally:
        daphne.stop()


async def test_sigterm_finishes_the_running_turn_keeps_the_words_and_closes_with_4503(server, language_model):
    language_model.script(
        Reply(
            body=[delta("Good morning! "), delta("What would you like?"), delta(None, "stop")],
            sse_done=True,
            delay=REPLY_DELAY_SECONDS,
        )
    )
    speech = synthesized_speech("I would like two loaves of bread.")
    typing_url = server.url("/api/conversations/ws/typing_learner/baker_01")
    speaking_url = server.url("/api/conversations/ws/speaking_learner/baker_01")
    async with (
        websockets.connect(typing_url, origin=None, max_size=None) as typing,
        websockets.connect(speaking_url, origin=None, max_size=None) as speaking,
    ):
        await _joined(typing)
        for frame in unity_frames(speech):
            await speaking.send(frame)
        await _joined(speaking)  # mid-utterance: the audio is in, no end_utterance
        await typing.send(json.dumps({"type": "text", "text": "Good morning, I want a bread."}))
        assert (await _next_event(typing))["type"] == "transcription"  # the turn waits for its reply
        server.process.send_signal(signal.SIGTERM)
        typing_events = await _events_until_closed(typing)
        speaking_events = await _events_until_closed(speaking)
    assert server.process.wait(timeout=EXIT_TIMEOUT_SECONDS) == 0, server.log.read_text()[-3000:]

    # The typing learner is told first, then gets the reply of the turn in flight and its end.
    assert [e["type"] for e in typing_events] == ["error", "npc_text", "turn_complete"], typing_events
    assert typing_events[0]["code"] == "server_shutdown" and typing_events[0]["text"]
    assert typing_events[1]["text"] == REPLY and "interrupted" not in typing_events[2]
    assert typing.close_code == 4503
    # The speaking learner's words so far are transcribed and announced with a turn_complete.
    assert [e["type"] for e in speaking_events] == ["error", "transcription", "turn_complete"], speaking_events
    assert speaking_events[0]["code"] == "server_shutdown"
    assert "bread" in speaking_events[1]["text"].lower()
    assert speaking.close_code == 4503

    # Stored: both turns, both conversations ended, a check for each turn (pending ones are run
    # at the next start).
    typed = await Turn.objects.select_related("conversation").aget(conversation__player__player_id="typing_learner")
    assert typed.status == Turn.Status.COMPLETED and typed.npc_reply == REPLY
    spoken = await Turn.objects.select_related("conversation").aget(conversation__player__player_id="speaking_learner")
    assert "bread" in spoken.transcript.lower() and spoken.npc_reply == ""
    assert await Conversation.objects.filter(ended_at__isnull=True).acount() == 0
    assert await Conversation.objects.acount() == 2
    assert await GrammarCheck.objects.filter(turn__in=[typed, spoken]).acount() == 2
    assert "Traceback" not in server.log.read_text()


async def test_a_reply_past_the_grace_period_is_cut_cleanly_and_a_late_socket_is_refused(server, language_model):
    """A reply that would take longer than the grace period is stopped and its turn still ends
    with turn_complete; a socket that opens between SIGTERM and the listener's close is refused."""
    async with websockets.connect(
        server.url("/api/conversations/ws/typing_learner/baker_01"), origin=None, max_size=None
    ) as holding:
        await _joined(holding)
        language_model.script(Reply(body=[delta("Hello."), delta(None, "stop")], sse_done=True, delay=GRACE_SECONDS))
        await holding.send(json.dumps({"type": "text", "text": "Hello!"}))
        assert (await _next_event(holding))["type"] == "transcription"
        server.process.send_signal(signal.SIGTERM)
        assert (await _next_event(holding))["code"] == "server_shutdown"
        async with websockets.connect(
            server.url("/api/conversations/ws/late_learner/baker_01"), origin=None, open_timeout=EVENT_TIMEOUT_SECONDS
        ) as late:
            late_events = await _events_until_closed(late)
        holding_events = await _events_until_closed(holding)
    assert server.process.wait(timeout=EXIT_TIMEOUT_SECONDS) == 0, server.log.read_text()[-3000:]

    assert [(e["type"], e.get("code")) for e in late_events] == [("error", "server_shutdown")]
    assert late.close_code == 4503
    assert [e["type"] for e in holding_events] == ["npc_text", "turn_complete"], holding_events
    assert holding_events[-1]["interrupted"] is True and holding.close_code == 4503
    turn = await Turn.objects.aget(conversation__player__player_id="typing_learner")
    assert turn.status == Turn.Status.INTERRUPTED and turn.transcript == "Hello!"
    assert not await Conversation.objects.filter(player__player_id="late_learner").aexists()
    assert await Conversation.objects.filter(ended_at__isnull=True).acount() == 0
