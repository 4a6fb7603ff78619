"""PostgreSQL restarting under a running server (issue 13).

A restart ends every connection of the server: that is injected by terminating the backends of
the test database (never the shared cluster, which other processes use; the database name is
this run's own). An outage is a restart that takes a while: connections to the test database
are refused (ALLOW_CONNECTIONS false) and terminated, then allowed again.

Sockets and REST requests go through the project's real ASGI application, whose database
calls run on the threads Channels and Django give them, as in the server.
"""

from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import psycopg
import pytest
from django.db import connection, connections

from conversations.models import Conversation, Turn
from conversations.tests.helpers import CheckedCommunicator, ScriptedLanguageModel, events_of, receive_turn
from virtulingo.asgi import application

pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.django_db(transaction=True),  # the server's threads see committed rows only
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs DATABASE_URL on PostgreSQL"),
    pytest.mark.usefixtures("grammar_checks_settled"),
]

SOCKET = "/api/conversations/ws/learner/baker_01"
REST_TURN = "/api/conversations/learner/baker_01/conversation"


def _maintenance(sql: str, *params: object) -> list[tuple]:
    """Run SQL on the cluster's `postgres` database, on a connection of its own."""
    settings_dict = connection.settings_dict
    with psycopg.connect(
        dbname="postgres",
        host=settings_dict["HOST"] or "localhost",
        port=settings_dict["PORT"] or 5432,
        user=settings_dict["USER"],
        password=settings_dict["PASSWORD"] or None,
        autocommit=True,
    ) as maintenance:
        cursor = maintenance.execute(sql, params)  # type: ignore[arg-type]
        return cursor.fetchall() if cursor.description else []


def restart_connections() -> int:
    """What a PostgreSQL restart does to the server: every connection to its database ends.
    Returns how many there were."""
    return len(
        _maintenance(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            connection.settings_dict["NAME"],
        )
    )


@contextmanager
def database_down() -> Iterator[None]:
    name = connection.ops.quote_name(connection.settings_dict["NAME"])
    _maintenance(f"ALTER DATABASE {name} WITH ALLOW_CONNECTIONS false")
    try:
        restart_connections()
        yield
    finally:
        _maintenance(f"ALTER DATABASE {name} WITH ALLOW_CONNECTIONS true")


@pytest.fixture(autouse=True)
def _own_connections_reopened():
    """The test's own (main-thread) connection is ended with the others: closed at the end so
    that pytest-django's flush opens a fresh one."""
    yield
    for each in connections.all(initialized_only=True):
        each.close()


@pytest.fixture
def scripted_replies(use_language_model):
    use_language_model(ScriptedLanguageModel(["Good morning! ", "What would you like?"]))


async def _typed_turn(communicator: CheckedCommunicator, text: str) -> list[dict]:
    """The turn's events (a grammar correction of an earlier turn may come in between: left out)."""
    await communicator.send_json_to({"type": "text", "text": text})
    return [event for event in events_of(await receive_turn(communicator)) if event["type"] != "grammar_correction"]


async def _rest_turn(text: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=application)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        return await client.post(REST_TURN, json={"text": text}, timeout=120)


async def _socket() -> CheckedCommunicator:
    communicator = CheckedCommunicator(application, SOCKET)
    connected, _ = await communicator.connect(timeout=30)
    assert connected
    return communicator


async def test_after_a_restart_the_next_socket_and_rest_turns_succeed(baker, scripted_replies):
    across = await _socket()
    try:
        assert [e["type"] for e in await _typed_turn(across, "Hello!")][-1] == "turn_complete"
        assert (await _rest_turn("Good morning!")).status_code == 200

        assert restart_connections() >= 1  # the server's connections were there, and ended

        # The socket open across the restart, the next REST turn and a new socket all work.
        events = await _typed_turn(across, "I want a bread.")
        assert [e["type"] for e in events] == ["transcription", "npc_text", "turn_complete"], events
        response = await _rest_turn("Two loaves, please.")
        assert response.status_code == 200 and response.json()["error"] is None
        assert response.json()["reply"] == "Good morning! What would you like?"
        restart_connections()
        fresh = await _socket()
        events = await _typed_turn(fresh, "Thank you.")
        assert [e["type"] for e in events] == ["transcription", "npc_text", "turn_complete"], events
        await fresh.disconnect(timeout=30)
    finally:
        await across.disconnect(timeout=30)

    turns = [turn async for turn in Turn.objects.order_by("pk")]
    assert [turn.transcript for turn in turns] == [
        "Hello!",
        "Good morning!",
        "I want a bread.",
        "Two loaves, please.",
        "Thank you.",
    ]
    assert {turn.status for turn in turns} == {Turn.Status.COMPLETED}
    assert await Conversation.objects.filter(ended_at__isnull=True).acount() == 0


async def test_during_an_outage_turns_fail_cleanly_and_the_socket_works_again_after_it(baker, scripted_replies):
    across = await _socket()
    try:
        await _typed_turn(across, "Hello!")
        with database_down():
            events = await _typed_turn(across, "Are you open?")
            assert [(e["type"], e.get("code")) for e in events] == [
                ("transcription", None),
                ("error", "server_error"),
                ("turn_complete", None),
            ]
            response = await _rest_turn("Are you open?")
            assert response.status_code == 503 and response.json()["code"] == "database_unavailable"
            refused = CheckedCommunicator(application, SOCKET)
            assert (await refused.connect(timeout=30))[0]
            error = await refused.receive_json_from(timeout=30)
            assert error["type"] == "error" and error["code"] == "database_unavailable"
            assert (await refused.receive_output(timeout=30)) == {"type": "websocket.close", "code": 4503}
        events = await _typed_turn(across, "I want a bread.")
        assert [e["type"] for e in events] == ["transcription", "npc_text", "turn_complete"], events
    finally:
        await across.disconnect(timeout=30)

    # Nothing stored before the outage is lost; what the outage kept from being stored is not there.
    turns = [turn async for turn in Turn.objects.order_by("pk")]
    assert [(turn.transcript, turn.status) for turn in turns] == [
        ("Hello!", Turn.Status.COMPLETED),
        ("I want a bread.", Turn.Status.COMPLETED),
    ]
    assert await Conversation.objects.filter(ended_at__isnull=True).acount() == 0
