"""Celery tasks: thin wrappers around grammar services."""

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from grammar.services import grammar_check_fail, grammar_check_turn

MAX_RETRIES = 4


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=MAX_RETRIES)
def grammar_check_turn_task(self, turn_id: int) -> None:
    """Check a turn; engine errors are retried with exponential backoff, then recorded as failed."""
    try:
        grammar_check_turn(turn_id=turn_id)
    except SoftTimeLimitExceeded:
        grammar_check_fail(turn_id=turn_id, error="The check took longer than the task's time limit.")
    except Exception as exc:
        if self.request.retries >= MAX_RETRIES:
            grammar_check_fail(turn_id=turn_id, error=f"Gave up after {MAX_RETRIES + 1} attempts: {exc}")
            raise
        raise self.retry(exc=exc, countdown=2 ** (self.request.retries + 1)) from exc
