"""Celery tasks: thin wrappers around grammar services."""

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from grammar.services import (
    CHECK_ATTEMPTS,
    CHECK_NOT_RETRIED,
    grammar_check_fail,
    grammar_check_retry_wait,
    grammar_check_turn,
    grammar_checks_requeue,
)

MAX_RETRIES = CHECK_ATTEMPTS - 1


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=MAX_RETRIES)
def grammar_check_turn_task(self, turn_id: int) -> None:
    """Check a turn with the grammar room's retry policy (through Celery, so a retry survives
    the worker), then record it as failed."""
    try:
        grammar_check_turn(turn_id=turn_id)
    except CHECK_NOT_RETRIED:
        raise
    except SoftTimeLimitExceeded:
        grammar_check_fail(turn_id=turn_id, error="The check took longer than the task's time limit.")
    except Exception as exc:
        if self.request.retries >= MAX_RETRIES:
            grammar_check_fail(turn_id=turn_id, error=f"Gave up after {CHECK_ATTEMPTS} attempts: {exc}")
            raise
        raise self.retry(exc=exc, countdown=grammar_check_retry_wait(self.request.retries)) from exc


@shared_task(ignore_result=True)
def grammar_checks_requeue_task() -> int:
    """Run by Celery beat (settings.CELERY_BEAT_SCHEDULE) and when a worker starts."""
    from django.conf import settings

    return grammar_checks_requeue(older_than_seconds=settings.VIRTULINGO_GRAMMAR_REQUEUE_AFTER_SECONDS)
