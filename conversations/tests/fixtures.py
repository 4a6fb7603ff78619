"""Fixtures for the voice loop: the process's real engines, real synthesized speech,
and sockets through the project's real ASGI application (middleware included).
A pytest plugin (the root conftest.py loads it), so the grammar tests use them too;
helpers that tests import are in conversations/tests/helpers.py."""

import asyncio
from collections.abc import Sequence

import pytest
import pytest_asyncio
from channels.testing import WebsocketCommunicator
from django.conf import settings

from conversations.models import Turn
from conversations.signals import turn_recorded
from conversations.tests.helpers import CheckedCommunicator, synthesized_speech
from engines.registry import get_registry
from grammar import services as grammar_services
from grammar.tests.celery_worker import grammar_worker_shared
from virtulingo.asgi import application


@pytest.fixture(scope="session")
def engines():
    """The real embedded engines every socket of this process uses, loaded once."""
    registry = get_registry()
    registry.warmup_sync(roles=("stt", "llm", "tts", "grammar"))
    return registry


@pytest.fixture(scope="session")
def speech(engines):
    """16 kHz PCM16 of an English sentence spoken by Piper (made once per text)."""
    return synthesized_speech


@pytest.fixture
def baker(transactional_db):
    """The English baker the Unity client talks to by default (committed: sockets and workers see it)."""
    from npcs.tests.factories import NPCFactory

    return NPCFactory(npc_id="baker_01", name="Tom", language="en", voice={"piper": ""})


async def in_process_checks_settled() -> None:
    """Wait for this test's in-process grammar checks (one begun on an earlier test's loop belongs
    to that test, whose loop is gone)."""
    loop = asyncio.get_running_loop()
    checks = [check for check in grammar_services._background_checks if check.get_loop() is loop]
    if checks:
        await asyncio.gather(*checks, return_exceptions=True)


@pytest_asyncio.fixture
async def grammar_checks_settled():
    """At the end, wait for this test's in-process grammar checks before its data is flushed."""
    yield
    await in_process_checks_settled()


@pytest_asyncio.fixture
async def connect(grammar_worker, grammar_checks_settled):
    """Open sockets through the real ASGI app; every one is disconnected at the end."""
    opened: list[WebsocketCommunicator] = []

    async def open_socket(path: str, *, headers: Sequence[tuple[bytes, bytes]] = ()) -> WebsocketCommunicator:
        communicator = CheckedCommunicator(application, path, headers=list(headers))
        connected, _ = await communicator.connect(timeout=30)
        assert connected
        opened.append(communicator)
        return communicator

    yield open_socket
    # First the checks: on SQLite a check's open transaction locks the tables the sockets'
    # disconnect writes (the correction is sent before its transaction commits).
    await in_process_checks_settled()
    for communicator in opened:
        await communicator.disconnect(timeout=30)


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


@pytest.fixture
def no_grammar_checks():
    """These tests are about the session, so the grammar room does not hear of their turns (a
    worker checking one would race the flush of the test database)."""
    from grammar.receivers import grammar_check_recorded_turn

    uid = "grammar_check_recorded_turn"
    assert turn_recorded.disconnect(grammar_check_recorded_turn, sender=Turn, dispatch_uid=uid)
    yield
    turn_recorded.connect(grammar_check_recorded_turn, sender=Turn, dispatch_uid=uid)
