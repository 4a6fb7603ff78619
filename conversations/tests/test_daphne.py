"""The server as users run it: a real Daphne process, a real WebSocket client, no Origin
header (as the Unity client connects). Each server gets its own SQLite database with the
demo content, like `make run`, so these tests do not share the test database."""

import asyncio
import json

import pytest
import websockets

from conversations.protocol import server_event_validate
from conversations.tests.daphne_servers import DaphneServer, manage, server_environment
from conversations.tests.helpers import unity_frames

# Real Daphne processes that load the embedded models.
pytestmark = [pytest.mark.asyncio, pytest.mark.models]

UNITY_END_UTTERANCE = '{"type":"end_utterance","text":"","enabled":false}'
TURN_TIMEOUT_SECONDS = 180


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    """A development server (embedded defaults) and a production-like one (DEBUG off)."""
    folder = tmp_path_factory.mktemp("daphne")
    database = folder / "db.sqlite3"
    setup_env = server_environment(database)
    manage("migrate", "--noinput", env=setup_env)
    manage("seed_demo", env=setup_env)
    development = DaphneServer(env=setup_env, log=folder / "development.log")
    production = DaphneServer(
        env=server_environment(
            database,
            DJANGO_DEBUG="0",
            DJANGO_SECRET_KEY="a-test-secret-key-" + "x" * 40,
            VIRTULINGO_WARM_UP_ENGINES="0",
        ),
        log=folder / "production.log",
    )
    try:
        development.wait_until_healthy()
        production.wait_until_healthy()
        yield {"development": development, "production": production}
    finally:
        development.stop()
        production.stop()


async def receive_until_turn_complete(ws) -> list:
    received = []
    while True:
        frame = await asyncio.wait_for(ws.recv(), TURN_TIMEOUT_SECONDS)
        if isinstance(frame, str):
            frame = json.loads(frame)
            server_event_validate(frame)
        received.append(frame)
        if isinstance(received[-1], dict) and received[-1]["type"] == "turn_complete":
            return received


async def refusal(ws) -> tuple[dict, int]:
    error = json.loads(await asyncio.wait_for(ws.recv(), 30))
    server_event_validate(error)
    with pytest.raises(websockets.ConnectionClosed):
        await asyncio.wait_for(ws.recv(), 30)
    return error, ws.close_code


async def test_a_unity_style_turn_without_a_token_in_development(servers, speech):
    url = servers["development"].url("/api/conversations/ws/new_learner/baker_01")
    async with websockets.connect(url, origin=None, max_size=None) as ws:
        for frame in unity_frames(speech("I would like some bread, please.")):
            await ws.send(frame)
        await ws.send(UNITY_END_UTTERANCE)
        received = await receive_until_turn_complete(ws)

    events = [item for item in received if isinstance(item, dict)]
    audio = [item for item in received if isinstance(item, bytes)]
    assert events[0]["type"] == "transcription" and "bread" in events[0]["text"].lower()
    assert audio, f"no audio; the events were {events}"
    assert all(frame[:4] == b"RIFF" and frame[36:40] == b"data" for frame in audio)
    assert [e["type"] for e in events][-2:] == ["npc_text", "turn_complete"]
    assert events[-1]["metrics"]["first_audio_ms"] > 0


async def test_the_stream_endpoint_answers_a_hands_free_turn(servers, speech):
    url = servers["development"].url("/api/conversations/ws/stream/new_learner/baker_01")
    async with websockets.connect(url, origin=None, max_size=None) as ws:
        for frame in unity_frames(speech("Good morning!") + bytes(32 * 1600)):
            await ws.send(frame)
        received = await receive_until_turn_complete(ws)
    events = [item for item in received if isinstance(item, dict)]
    assert "morning" in events[0]["text"].lower()
    assert events[-1]["metrics"]["speech_end_to_first_audio_ms"] >= events[-1]["metrics"]["first_audio_ms"]


async def test_a_wrong_token_with_debug_off_is_refused_with_4401(servers):
    url = servers["production"].url("/api/conversations/ws/learner_ben/baker_01?token=not-the-token")
    async with websockets.connect(url, origin=None) as ws:
        error, close_code = await refusal(ws)
    assert error["type"] == "error" and error["code"] == "unauthorized" and error["text"]
    assert close_code == 4401


async def test_an_unknown_npc_is_refused_with_4404(servers):
    url = servers["development"].url("/api/conversations/ws/new_learner/no_such_npc")
    async with websockets.connect(url, origin=None) as ws:
        error, close_code = await refusal(ws)
    assert error["code"] == "unknown_npc" and "no_such_npc" in error["text"]
    assert close_code == 4404
