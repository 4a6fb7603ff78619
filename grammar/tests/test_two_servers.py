"""Two server processes on one Redis channel layer and one PostgreSQL database (issue 13).

Two real Daphne processes (DEBUG off, player tokens) and the test run's Celery worker share the
test database and the tests' Redis indexes. A learner holds a socket on each process, another
learner one on each too. The learner's typed turn on process A is recorded there, its check is
queued there and run by the worker, which pushes `grammar_correction` to the learner's group:
both of the learner's sockets get it (one of them on the process that never saw the turn), the
other learner's get nothing. Every event received is checked against the protocol's schema.
"""

import asyncio
import json
import os
import time

import pytest
import websockets
from asgiref.sync import sync_to_async
from django.conf import settings

from conversations.models import Turn
from conversations.protocol import server_event_validate
from conversations.tests.daphne_servers import DaphneServer
from grammar.models import GrammarCheck
from grammar.tests.celery_worker import celery_worker_unusable_reason, shared_test_database_url
from grammar.tests.helpers import CORRECTION, UTTERANCE, assert_correction_of
from players.services import player_token_issue
from players.tests.factories import PlayerFactory

pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.models,  # server processes that load the language model and the voice
    pytest.mark.django_db(transaction=True),  # the servers and the worker see committed rows only
    pytest.mark.usefixtures("redis_test_db"),
]


def _unusable_reason() -> str | None:
    if not settings.REDIS_URL:
        return "two servers need one Redis channel layer (REDIS_URL)"
    return celery_worker_unusable_reason()


UNUSABLE = _unusable_reason()
needs_redis_and_postgres = pytest.mark.skipif(UNUSABLE is not None, reason=str(UNUSABLE))

# Generous: processes start and models load on a busy 2-core machine. Only timeouts, never asserted.
EVENT_TIMEOUT_SECONDS = 180
# After the expected events, how long a further (wrong) one is waited for.
QUIET_SECONDS = 3


@pytest.fixture
def two_servers(grammar_worker, transactional_db, tmp_path):
    """Two production-like Daphne processes on the test database and the tests' Redis indexes."""
    env = {
        **os.environ,
        "DATABASE_URL": shared_test_database_url(),
        # Already the tests' own Redis indexes (see the root conftest.py).
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "a-test-secret-key-" + "x" * 40,
        "VIRTULINGO_WARM_UP_ENGINES": "0",
        # The reply is not under test: the smallest packaged model keeps the turn cheap.
        "VIRTULINGO_LLM_MODEL": "smollm2-135m",
        "PYTHONUNBUFFERED": "1",
    }
    servers = [DaphneServer(env=env, log=tmp_path / f"daphne-{name}.log") for name in ("a", "b")]
    try:
        for server in servers:
            server.wait_until_healthy()
        yield servers
    finally:
        for server in servers:
            server.stop()


@sync_to_async
def _player_with_token(player_id: str) -> str:
    return player_token_issue(player=PlayerFactory(player_id=player_id))


async def _next_event(ws) -> dict:
    """The next JSON event (audio frames skipped), checked against the protocol's schema."""
    while True:
        frame = await asyncio.wait_for(ws.recv(), EVENT_TIMEOUT_SECONDS)
        if isinstance(frame, str):
            event = json.loads(frame)
            server_event_validate(event)
            return event


async def _joined(ws) -> None:
    """Once the ping is answered the consumer's connect handler is done: the socket is in the
    player's group, so a correction pushed from now on is for it."""
    await ws.send('{"type":"ping"}')
    assert await _next_event(ws) == {"type": "pong"}


async def _nothing_more(ws) -> bool:
    try:
        frame = await asyncio.wait_for(ws.recv(), QUIET_SECONDS)
    except TimeoutError:
        return True
    raise AssertionError(f"unexpected frame: {frame!r:.200}")


async def _pushed_check(turn: Turn) -> GrammarCheck:
    """The check once its push is committed (the event can reach a socket before the commit)."""
    deadline = time.monotonic() + EVENT_TIMEOUT_SECONDS
    while (check := await GrammarCheck.objects.aget(turn=turn)).pushed_at is None:
        assert time.monotonic() < deadline, "the push was never recorded"
        await asyncio.sleep(0.1)
    return check


@needs_redis_and_postgres
async def test_a_correction_reaches_the_players_sockets_on_both_servers_and_no_one_elses(two_servers, baker):
    server_a, server_b = two_servers
    tokens = {player_id: await _player_with_token(player_id) for player_id in ("learner", "other_learner")}

    def url(server: DaphneServer, player_id: str) -> str:
        return server.url(f"/api/conversations/ws/{player_id}/baker_01?token={tokens[player_id]}")

    async with (
        websockets.connect(url(server_a, "learner"), origin=None, max_size=None) as learner_on_a,
        websockets.connect(url(server_b, "learner"), origin=None, max_size=None) as learner_on_b,
        websockets.connect(url(server_a, "other_learner"), origin=None, max_size=None) as other_on_a,
        websockets.connect(url(server_b, "other_learner"), origin=None, max_size=None) as other_on_b,
    ):
        for ws in (learner_on_a, learner_on_b, other_on_a, other_on_b):
            await _joined(ws)

        # A typed turn (the same path as a spoken one after speech-to-text) on process A only.
        await learner_on_a.send(json.dumps({"type": "text", "text": UTTERANCE}))
        on_a: list[dict] = []
        while not ({"turn_complete", "grammar_correction"} <= {event["type"] for event in on_a}):
            on_a.append(await _next_event(learner_on_a))
        on_b = await _next_event(learner_on_b)

        for ws in (learner_on_a, learner_on_b, other_on_a, other_on_b):
            assert await _nothing_more(ws)

    (transcription,) = [event for event in on_a if event["type"] == "transcription"]
    assert transcription["text"] == UTTERANCE
    (complete,) = [event for event in on_a if event["type"] == "turn_complete"]
    assert complete["turn_id"] == transcription["turn_id"]
    (correction_on_a,) = [event for event in on_a if event["type"] == "grammar_correction"]
    turn = await Turn.objects.select_related("conversation__player").aget(uuid=transcription["turn_id"])
    assert turn.conversation.player.player_id == "learner" and turn.transcript == UTTERANCE
    assert_correction_of(correction_on_a, turn)
    # The same event, sent once to the group, delivered by each process to its own socket.
    assert on_b == correction_on_a

    check = await _pushed_check(turn)
    assert check.status == GrammarCheck.Status.DONE and check.corrected_utterance == CORRECTION
    assert await GrammarCheck.objects.acount() == 1
