"""Clients that misbehave at the socket level, against a real Daphne process: one that stops
reading its replies, one that sends a frame over Daphne's 1 MiB cap (docs/RELIABILITY.md,
"Slow, fast and oversized clients"). Cheap engines: the language model is a scripted
OpenAI-compatible server in this process (engines/tests/fake_server.py), the voice espeak-ng
(~15 ms a sentence), no model warmed up."""

import asyncio
import json
import re
import socket
import sqlite3
import time
from urllib.parse import urlsplit

import pytest
import websockets
from websockets.client import ClientProtocol
from websockets.protocol import State
from websockets.uri import parse_uri

from conversations.tests.daphne_servers import DaphneServer, manage, server_environment
from engines.tests.fake_server import FakeServer, Reply

pytestmark = pytest.mark.asyncio

# Low, so that a few turns of a client that never reads pass it.
MAX_BUFFERED_BYTES = 256 * 1024
# Each reply: eight sentences, each its own WAV of about 2 s (~90 KB at 22 kHz).
REPLY = "The bread in this shop is baked fresh every single morning before dawn. " * 8
MAX_TURNS = 40
WAIT_SECONDS = 60
# Daphne's keepalive drops a client that answers no ping ~50 s after its last message (20 s to
# the ping, 30 s for the pong): the drop looked for here must come well before that.
DROP_WAIT_SECONDS = 10


def openai_stream(text: str) -> Reply:
    def chunk(content: str | None, finish: str | None = None) -> dict:
        delta = {"content": content} if content is not None else {}
        return {
            "id": "chatcmpl-1",
            "object": "chat.completion.chunk",
            "created": 1,
            "model": "test",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }

    return Reply(body=[chunk(text), chunk(None, "stop")], sse_done=True)


@pytest.fixture(scope="module")
def language_model():
    with FakeServer() as server:
        server.script(*[openai_stream(REPLY) for _ in range(MAX_TURNS + 10)])
        yield server


@pytest.fixture(scope="module")
def server(tmp_path_factory, language_model):
    folder = tmp_path_factory.mktemp("daphne-hostile")
    database = folder / "db.sqlite3"
    env = server_environment(
        database,
        VIRTULINGO_WARM_UP_ENGINES="0",
        VIRTULINGO_LLM="openai",
        OPENAI_BASE_URL=f"{language_model.url}/v1",
        OPENAI_API_KEY="sk-test",
        OPENAI_MODEL="test",
        VIRTULINGO_TTS="espeak",
        VIRTULINGO_WS_MAX_BUFFERED_BYTES=str(MAX_BUFFERED_BYTES),
    )
    manage("migrate", "--noinput", env=env)
    manage("seed_demo", env=env)
    daphne = DaphneServer(env=env, log=folder / "daphne.log")
    try:
        daphne.wait_until_healthy()
        daphne.database = database  # type: ignore[attr-defined]
        yield daphne
    finally:
        daphne.stop()


def _conversation_ended(database, player_id: str) -> tuple[bool, int]:
    """(the player's conversation has ended_at, how many turns it stored), read from the file."""
    with sqlite3.connect(database, timeout=30) as db:
        row = db.execute(
            "SELECT c.id, c.ended_at FROM conversations_conversation c JOIN players_player p ON p.id = c.player_id"
            " WHERE p.player_id = ?",
            (player_id,),
        ).fetchone()
        if row is None:
            return False, 0
        (turns,) = db.execute("SELECT COUNT(*) FROM conversations_turn WHERE conversation_id = ?", (row[0],)).fetchone()
    return row[1] is not None, turns


def _open_without_reading(url: str) -> tuple[socket.socket, ClientProtocol]:
    """A WebSocket whose client never reads after the handshake, with a small receive buffer
    (set before connecting, so the window it offers stays small)."""
    parts = urlsplit(url)
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.settimeout(30)
    sock.connect((parts.hostname, parts.port))
    client = ClientProtocol(parse_uri(url))
    client.send_request(client.connect())
    sock.sendall(b"".join(client.data_to_send()))
    while client.state is State.CONNECTING:
        data = sock.recv(4096)
        assert data, "the server closed during the handshake"
        client.receive_data(data)
    assert client.state is State.OPEN, client.handshake_exc
    return sock, client


async def test_a_client_that_never_reads_is_dropped_past_the_bound_and_its_words_are_kept(server, language_model):
    sock, client = _open_without_reading(server.url("/api/conversations/ws/never_reads/baker_01"))
    requests_before = len(language_model.requests)
    sent = 0
    ended = False
    try:
        while not ended and sent < MAX_TURNS:
            client.send_text(json.dumps({"type": "text", "text": f"Turn {sent}: some bread, please."}).encode())
            sock.sendall(b"".join(client.data_to_send()))
            sent += 1
            # The next turn once this one has asked the model: never more than one waiting.
            deadline = time.monotonic() + WAIT_SECONDS
            while len(language_model.requests) - requests_before < sent and not ended:
                assert time.monotonic() < deadline, "the turn never reached the language model"
                await asyncio.sleep(0.05)
                ended, _ = _conversation_ended(server.database, "never_reads")
            await asyncio.sleep(0.3)  # its audio is written meanwhile
            ended, _ = _conversation_ended(server.database, "never_reads")
        deadline = time.monotonic() + DROP_WAIT_SECONDS
        while not ended and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
            ended, turns = _conversation_ended(server.database, "never_reads")
        assert ended, f"{sent} turns were sent to a client that reads nothing, and it was never dropped"
        _, turns = _conversation_ended(server.database, "never_reads")
        assert turns == sent, "every turn the learner sent is stored, also the ones after the drop began"

        # The connection is gone: the client reads what its kernel holds, then the reset (a
        # connection still open would time out here instead).
        sock.settimeout(10)
        with pytest.raises(ConnectionResetError):
            while sock.recv(65536):
                pass
    finally:
        sock.close()

    log = server.log.read_text()
    (unsent,) = [int(n) for n in re.findall(r"Dropped WebSocket client .* (\d+) bytes of replies not read", log)]
    # Checked before each message: the server held at most the bound and one message (a WAV
    # of one sentence, under 256 KiB here).
    assert MAX_BUFFERED_BYTES < unsent <= 2 * MAX_BUFFERED_BYTES, log
    # The server goes on serving.
    async with websockets.connect(server.url("/api/conversations/ws/reads/baker_01"), origin=None) as ws:
        await ws.send('{"type":"ping"}')
        assert json.loads(await asyncio.wait_for(ws.recv(), 30))["type"] == "pong"


async def test_a_frame_over_daphnes_cap_is_answered_with_a_close_1009_not_a_reset(server):
    bystander = await websockets.connect(server.url("/api/conversations/ws/bystander/baker_01"), origin=None)
    async with websockets.connect(server.url("/api/conversations/ws/oversized/baker_01"), origin=None) as ws:
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await ws.send(bytes(2 * 1024 * 1024))
            await asyncio.wait_for(ws.recv(), 30)
    assert closed.value.rcvd is not None, f"no close frame: {closed.value!r}"
    assert closed.value.rcvd.code == 1009  # Message Too Big (RFC 6455)
    assert "exceeds payload limit" in closed.value.rcvd.reason

    await bystander.send('{"type":"ping"}')
    assert json.loads(await asyncio.wait_for(bystander.recv(), 30))["type"] == "pong"
    await bystander.close()
    ended, _ = _conversation_ended(server.database, "oversized")
    deadline = time.monotonic() + WAIT_SECONDS
    while not ended and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
        ended, _ = _conversation_ended(server.database, "oversized")
    assert ended, "the oversized client's conversation ended"
