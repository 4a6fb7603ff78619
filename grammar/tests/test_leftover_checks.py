"""Checks left pending by a server that stopped or crashed, without a broker (issue 13).

With no broker the checks run on the server process's grammar thread; a server that dies with
a check running or queued in memory leaves its row pending. The next server start runs the
ones older than VIRTULINGO_GRAMMAR_REQUEUE_AFTER (as a Celery worker's start does with a
broker) through the one in-process runner, and leaves younger ones alone.
"""

import asyncio
import time
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.test import override_settings
from django.utils import timezone

from conversations.tests.factories import TurnFactory
from conversations.tests.fixtures import in_process_checks_settled
from grammar import services as grammar_services
from grammar.models import GrammarCheck, Mistake
from grammar.services import grammar_check_prepare, grammar_checks_in_process_stop
from grammar.tests.helpers import CORRECTION, UTTERANCE
from virtulingo import server_lifecycle

pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.django_db(transaction=True),  # the grammar thread reads committed rows only
    pytest.mark.usefixtures("engines_for_grammar", "grammar_checks_settled"),
]

REQUEUE_AFTER = 120
WAIT_BOUND_SECONDS = 120  # a bound on waiting for the grammar thread, never a measured time


@database_sync_to_async
def _pending_check(*, age_seconds: float, attempts: int = 0) -> GrammarCheck:
    """A turn's check as a crashed server leaves it: pending, ``age_seconds`` old."""
    turn = TurnFactory(transcript=UTTERANCE, language="en", conversation__language="en")
    check = grammar_check_prepare(turn_id=turn.pk)
    GrammarCheck.objects.filter(pk=check.pk).update(
        created_at=timezone.now() - timedelta(seconds=age_seconds), attempts=attempts
    )
    return check


async def _when_not_pending(check: GrammarCheck) -> GrammarCheck:
    deadline = time.monotonic() + WAIT_BOUND_SECONDS
    while (current := await GrammarCheck.objects.aget(pk=check.pk)).status == GrammarCheck.Status.PENDING:
        assert time.monotonic() < deadline, "the leftover check was never run"
        await asyncio.sleep(0.1)
    return current


@pytest.fixture
def server_start():
    """What the server does once its event loop runs (Daphne's start, wrapped in
    virtulingo/server_lifecycle.py), without a broker; its runner is stopped at the end."""
    with override_settings(CELERY_ENABLED=False, VIRTULINGO_GRAMMAR_REQUEUE_AFTER_SECONDS=REQUEUE_AFTER):
        yield server_lifecycle.server_started
        if server_lifecycle._runner is not None:
            server_lifecycle._runner.cancel()
            server_lifecycle._runner = None
        grammar_services._stopping = False  # a test that stopped the runner leaves the process usable


async def test_at_start_the_checks_a_stopped_server_left_pending_are_run_and_recent_ones_left_alone(server_start):
    never_started = await _pending_check(age_seconds=REQUEUE_AFTER + 60)
    crashed_mid_check = await _pending_check(age_seconds=3600, attempts=1)
    recent = await _pending_check(age_seconds=5)

    server_start()

    for check in (never_started, crashed_mid_check):
        done = await _when_not_pending(check)
        assert done.status == GrammarCheck.Status.DONE and done.corrected_utterance == CORRECTION
        mistakes = [m async for m in Mistake.objects.filter(grammar_check=done)]
        assert [(m.original, m.correction) for m in mistakes] == [("go", "goes")]
    # Everything the first sweep queued has run by now: the recent check was not among it.
    await in_process_checks_settled()
    recent = await GrammarCheck.objects.aget(pk=recent.pk)
    assert recent.status == GrammarCheck.Status.PENDING and recent.attempts == 0


async def test_a_sweep_does_not_queue_again_a_check_this_process_has_queued(server_start):
    old = await _pending_check(age_seconds=3600)
    assert await grammar_services.grammar_checks_run_leftover(older_than_seconds=REQUEUE_AFTER) == 1
    assert await grammar_services.grammar_checks_run_leftover(older_than_seconds=REQUEUE_AFTER) == 0
    assert (await _when_not_pending(old)).status == GrammarCheck.Status.DONE


async def test_at_shutdown_checks_queued_in_memory_are_left_pending_for_the_next_start(server_start):
    checks = [await _pending_check(age_seconds=3600) for _ in range(3)]
    assert await grammar_services.grammar_checks_run_leftover(older_than_seconds=REQUEUE_AFTER) == 3
    # One thread: the first has started (or will finish), the two behind it are dropped.
    dropped = grammar_checks_in_process_stop()
    await in_process_checks_settled()
    statuses = [(await GrammarCheck.objects.aget(pk=check.pk)).status for check in checks]
    assert dropped >= 2 and statuses.count(GrammarCheck.Status.PENDING) == dropped
