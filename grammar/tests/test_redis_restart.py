"""Redis down and back, with a Redis server of this test's own (never the shared one): a REST
text turn during the outage completes and is stored with its metrics, the world state degrades
to its defaults, and the grammar check is kept pending and queued once the broker is back."""

import asyncio
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
import redis
from django.test import override_settings
from rest_framework.test import APIClient

from conversations.models import Turn
from conversations.tests.helpers import ScriptedLanguageModel
from grammar import services as grammar_services
from grammar.models import GrammarCheck
from grammar.services import grammar_checks_requeue
from players.world_state import PlayerWorldState, RedisWorldStateStore
from virtulingo.celery import app as celery_app

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server"),
]

START_BOUND_SECONDS = 30  # a bound on waiting for the server, never a measured time


class OwnRedis:
    """A redis-server process on a free port, without persistence, that the test stops and starts."""

    def __init__(self, folder: Path) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.folder = folder
        self.process: subprocess.Popen | None = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + START_BOUND_SECONDS
        while True:
            try:
                with redis.Redis.from_url(self.url, socket_connect_timeout=1) as client:
                    client.ping()
                return
            except redis.ConnectionError:
                assert time.monotonic() < deadline, "own redis-server did not start"
                time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=START_BOUND_SECONDS)
            self.process = None

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url)


@pytest.fixture
def own_redis(tmp_path):
    server = OwnRedis(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def broker_on(own_redis):
    """The Celery app publishing to the test's own Redis through pools of its own; the app's
    pools are put back untouched afterwards (closing them would break later tests' workers)."""
    saved = celery_app.conf.broker_url, celery_app._pool, celery_app.amqp._producer_pool
    celery_app.conf.broker_url, celery_app._pool, celery_app.amqp._producer_pool = own_redis.url, None, None
    yield own_redis
    if celery_app._pool is not None:
        celery_app._pool.force_close_all()
    celery_app.conf.broker_url, celery_app._pool, celery_app.amqp._producer_pool = saved


def test_the_world_state_degrades_to_defaults_while_redis_is_down(own_redis):
    store = RedisWorldStateStore(url=own_redis.url, ttl_seconds=60, history_exchanges=5)

    async def reads():
        return await store.state_get(player_id="p1"), await store.history_list(player_id="p1", npc_id="n1")

    own_redis.stop()
    state, history = asyncio.run(reads())
    assert state == PlayerWorldState(player_id="p1") and history == []


def test_a_text_turn_while_redis_is_down_completes_and_its_check_is_queued_when_redis_is_back(
    npc, use_language_model, broker_on
):
    own_redis = broker_on
    use_language_model(ScriptedLanguageModel(["Bonjour ! ", "Que voulez-vous ?"]))
    with override_settings(REDIS_URL=own_redis.url, CELERY_ENABLED=True):
        own_redis.stop()
        response = APIClient().post(
            f"/api/conversations/learner/{npc.npc_id}/conversation", {"text": "I want a bread"}, format="json"
        )
        assert response.status_code == 200, response.content[:500]
        body = response.json()
        assert body["error"] is None and body["reply"] == "Bonjour ! Que voulez-vous ?"
        turn = Turn.objects.get(uuid=body["turn_id"])
        assert turn.status == Turn.Status.COMPLETED and turn.npc_reply == body["reply"]
        assert turn.metrics["total_ms"] == body["metrics"]["total_ms"] and "llm" in turn.metrics["engines"]
        check = GrammarCheck.objects.get(turn=turn)
        assert check.status == GrammarCheck.Status.PENDING and check.attempts == 0

        assert grammar_checks_requeue(older_than_seconds=0) == 0  # the broker is still down: nothing lost
        assert GrammarCheck.objects.filter(turn=turn, status=GrammarCheck.Status.PENDING).exists()

        own_redis.start()
        assert grammar_checks_requeue(older_than_seconds=0) == 1
        with own_redis.client() as client:
            queued = client.lrange("celery", 0, -1)
        assert len(queued) == 1 and str(turn.pk).encode() in queued[0]


def test_an_unexpected_failure_in_a_turn_is_stored_as_failed_and_answered_with_an_error(
    npc, use_language_model, monkeypatch
):
    use_language_model(ScriptedLanguageModel(["Bonjour !"]))

    def broken(**kwargs):
        raise RuntimeError("a service the turn needs is down")

    monkeypatch.setattr("conversations.orchestrator.npc_prompt_messages", broken)
    response = APIClient().post(f"/api/conversations/learner/{npc.npc_id}/conversation", {"text": "Hi"}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["error"]["code"] == "server_error" and body["metrics"]["total_ms"] >= 0
    turn = Turn.objects.get(uuid=body["turn_id"])
    assert turn.status == Turn.Status.FAILED and turn.error_code == "server_error"
    assert GrammarCheck.objects.filter(turn=turn).exists()  # what the learner said is still checked
    if grammar_services._in_process_executor is not None:
        # Without a broker the check runs on the one in-process thread: let it end before the data goes.
        grammar_services._in_process_executor.submit(lambda: None).result(timeout=120)
