"""Writes for grammar: checking utterances, storing typed mistakes, pushing corrections, curation.

A check is stored once per turn (GrammarCheck.turn is unique) and pushed once
(`pushed_at` is claimed atomically), so a retried, duplicated or redelivered task
stores and pushes nothing twice.
"""

import asyncio
import logging
import time
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import timedelta

from asgiref.sync import async_to_sync, sync_to_async
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import close_old_connections, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from tenacity import RetryCallState, Retrying, retry_if_not_exception_type, stop_after_attempt

from conversations.events import grammar_correction_event, player_group_name
from conversations.models import Turn
from engines.interfaces import GrammarResult
from engines.registry import get_registry
from engines.scheduling import Priority, engine_priority
from grammar.explanations import grammar_check_explained
from grammar.models import GrammarCheck, Mistake
from grammar.review import review_item_create_for_mistake
from players.models import Player

logger = logging.getLogger(__name__)

# One retry policy for a turn's check, wherever it runs: this many attempts in all, and
# grammar_check_retry_wait() seconds before each retry.
CHECK_ATTEMPTS = 5
# Without a broker, checks run in the server process, one at a time, on this thread:
# never on the event loop, never delaying a turn.
_in_process_executor: ThreadPoolExecutor | None = None
_background_checks: set[asyncio.Future] = set()
# The turn and the thread's future of each check queued there (a sweep does not queue one
# twice; shutdown drops those not started).
_in_process_turns: dict[asyncio.Future, tuple[int, Future]] = {}
_stopping = False  # the server is shutting down: a check that fails now is left pending
PUSH_TIMEOUT_SECONDS = 10


# A turn deleted before its check (its player erased) cannot come back: not retried.
CHECK_NOT_RETRIED = (Turn.DoesNotExist,)


def grammar_check_retry_wait(retry: int) -> float:
    """Seconds before retry number ``retry`` (0 for the first): 2, 4, 8, 16."""
    return 2.0 ** (retry + 1)


async def grammar_check_enqueue(*, turn_id: int) -> None:
    """Have a recorded (committed) turn checked in the background; returns at once.

    With a broker, a Celery worker checks it. Without one, a thread of this process does,
    and hands the correction to the channel layer on this event loop, where the sockets of
    an in-memory layer live.
    """
    if settings.CELERY_ENABLED:
        from grammar.tasks import grammar_check_turn_task

        await sync_to_async(grammar_check_turn_task.delay, thread_sensitive=False)(turn_id)
        return
    _in_process_submit(turn_id=turn_id)


def _in_process_submit(*, turn_id: int) -> None:
    """Queue a turn's check on this process's grammar thread (called on the server's event loop)."""
    global _in_process_executor
    if _in_process_executor is None:
        _in_process_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="grammar")
    loop = asyncio.get_running_loop()
    queued = _in_process_executor.submit(grammar_check_turn_retried, turn_id, loop)
    check = asyncio.wrap_future(queued, loop=loop)
    # Keep a reference: the loop holds futures only weakly (tests also wait on these).
    _background_checks.add(check)
    _in_process_turns[check] = (turn_id, queued)
    check.add_done_callback(_background_checks.discard)
    check.add_done_callback(lambda done: _in_process_turns.pop(done, None))


async def grammar_checks_run_leftover(*, older_than_seconds: float) -> int:
    """Without a broker: run on this process's grammar thread the turns' checks still pending
    and older than ``older_than_seconds`` (a server that stopped or crashed with checks running
    or queued in memory left them so), but for those this process has queued itself. Started
    checks are included: nothing else would run them again. Returns how many were queued."""
    queued_here = {turn_id for turn_id, _ in _in_process_turns.values()}
    turn_ids = await database_sync_to_async(_checks_left_over)(older_than_seconds=older_than_seconds)
    leftover = [turn_id for turn_id in turn_ids if turn_id not in queued_here]
    for turn_id in leftover:
        _in_process_submit(turn_id=turn_id)
    if leftover:
        logger.info("running %d grammar check(s) left pending", len(leftover))
    return len(leftover)


def _checks_left_over(*, older_than_seconds: float) -> list[int]:
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    pending = GrammarCheck.objects.filter(
        status=GrammarCheck.Status.PENDING, turn__isnull=False, created_at__lte=cutoff
    )
    return list(pending.order_by("created_at").values_list("turn_id", flat=True)[:1000])


async def grammar_checks_in_process_runner(*, every_seconds: float) -> None:
    """Without a broker, what Celery beat and a worker's start do with one: at server start and
    then every ``every_seconds``, run the checks left pending for longer than that. Runs until
    cancelled; a sweep that fails (the database is down) is tried again next time."""
    while True:
        try:
            await grammar_checks_run_leftover(older_than_seconds=every_seconds)
        except Exception as exc:
            logger.warning("pending grammar checks not swept (%s); next try in %s s", exc, every_seconds)
        await asyncio.sleep(every_seconds)


def grammar_checks_in_process_stop() -> int:
    """At shutdown: the checks queued on this process's grammar thread and not started are
    dropped, their rows left pending for the next start's sweep (the running one finishes:
    the interpreter waits for the thread, and one that cannot finish is left pending too).
    Returns how many were dropped."""
    global _stopping
    _stopping = True
    return sum(queued.cancel() for _, queued in list(_in_process_turns.values()))


def grammar_checks_requeue(*, older_than_seconds: float) -> int:
    """Queue again the turns' checks that were never started and are older than
    ``older_than_seconds``: those whose queuing failed (the broker was down when the turn was
    recorded) or whose message was lost. Returns how many were queued; stops at the first
    failure (the broker is still down: the next sweep tries again). A check that was only
    waiting in a long queue is queued twice, which costs a repeated lookup, never a duplicate
    (checks are idempotent)."""
    from grammar.tasks import grammar_check_turn_task

    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    pending = GrammarCheck.objects.filter(
        status=GrammarCheck.Status.PENDING, attempts=0, turn__isnull=False, created_at__lte=cutoff
    ).values_list("turn_id", flat=True)
    queued = 0
    for turn_id in pending.order_by("created_at")[:1000]:
        try:
            grammar_check_turn_task.delay(turn_id)
        except Exception as exc:
            logger.warning("pending grammar checks not requeued, the broker is unreachable (%s)", exc)
            break
        queued += 1
    if queued:
        logger.info("requeued %d pending grammar check(s)", queued)
    return queued


def grammar_check_turn_retried(turn_id: int, push_loop: asyncio.AbstractEventLoop | None = None) -> bool:
    """The in-process runner: the check with the retry policy, recorded as failed when it gives
    up. Returns whether the check was done."""

    def wait(state: RetryCallState) -> float:
        return grammar_check_retry_wait(state.attempt_number - 1)

    retrying = Retrying(
        stop=stop_after_attempt(CHECK_ATTEMPTS),
        wait=wait,
        retry=retry_if_not_exception_type(CHECK_NOT_RETRIED),
        reraise=True,
    )
    try:
        for attempt in retrying:
            with attempt:
                # A connection that died since (the database restarted) is replaced, not retried in vain.
                close_old_connections()
                grammar_check_turn(turn_id=turn_id, push_loop=push_loop)
        return True
    except Exception as exc:
        if _stopping:
            # The process is exiting (nothing can be scheduled any more): not the check's fault.
            logger.warning("Grammar check of turn %s left pending at shutdown (%s)", turn_id, exc)
            return False
        logger.exception("Grammar check of turn %s failed", turn_id)
        attempts = retrying.statistics.get("attempt_number", 1)
        grammar_check_fail(turn_id=turn_id, error=f"Gave up after {attempts} attempts: {exc}")
        return False
    finally:
        close_old_connections()


def grammar_check_prepare(*, turn_id: int) -> GrammarCheck:
    """The turn's check, created pending on first use: the idempotency key of every retry."""
    turn = Turn.objects.select_related("conversation__player").get(pk=turn_id)
    player = turn.conversation.player
    # With its player: the engine run reads the player's native language, possibly on the event loop.
    check, _ = GrammarCheck.objects.select_related("player").get_or_create(
        turn=turn,
        defaults={
            "player": player,
            "utterance": turn.transcript,
            "language": turn.language,
            "level": player.proficiency_level,
        },
    )
    return check


def grammar_check_turn(*, turn_id: int, push_loop: asyncio.AbstractEventLoop | None = None) -> GrammarCheck:
    """One attempt at a turn's check: check the raw transcript, store its mistakes, push the
    correction. Idempotent, so any runner may retry it."""
    check = grammar_check_prepare(turn_id=turn_id)
    if check.status == GrammarCheck.Status.PENDING:
        grammar_check_attempt(check=check)
        # Beside the server's sockets (no broker), every turn's engine work goes first.
        with engine_priority(Priority.BACKGROUND):
            result, duration_ms = async_to_sync(_grammar_engine_run)(check=check)
        check = grammar_check_store(check_id=check.pk, result=result, duration_ms=duration_ms)
    if check.status == GrammarCheck.Status.DONE:
        grammar_check_push(check=check, push_loop=push_loop)
    return check


def grammar_check_utterance(*, player: Player, utterance: str, language: str) -> GrammarCheck:
    """A check that is not part of a turn (REST): run now and store."""
    check = GrammarCheck.objects.create(
        player=player, utterance=utterance, language=language, level=player.proficiency_level
    )
    grammar_check_attempt(check=check)
    result, duration_ms = async_to_sync(_grammar_engine_run)(check=check)
    return grammar_check_store(check_id=check.pk, result=result, duration_ms=duration_ms)


def grammar_check_attempt(*, check: GrammarCheck) -> None:
    GrammarCheck.objects.filter(pk=check.pk).update(attempts=F("attempts") + 1)


async def _grammar_engine_run(*, check: GrammarCheck) -> tuple[GrammarResult, int]:
    started = time.perf_counter()
    # Explanations in the learner's native language (check.player is loaded with the check).
    result = await grammar_check_explained(
        registry=get_registry(),
        utterance=check.utterance,
        language=check.language,
        level=check.level,
        explanation_language=check.player.native_language,
    )
    return result, round((time.perf_counter() - started) * 1000)


@transaction.atomic
def grammar_check_store(*, check_id: int, result: GrammarResult, duration_ms: int) -> GrammarCheck:
    """Store an engine's result once: a check that is no longer pending keeps its first result."""
    check = GrammarCheck.objects.select_for_update().get(pk=check_id)
    if check.status != GrammarCheck.Status.PENDING:
        return check
    check.engine = result.engine
    check.duration_ms = duration_ms
    check.completed_at = timezone.now()
    if result.status == "unavailable":
        check.status, check.error, check.corrected_utterance = GrammarCheck.Status.UNAVAILABLE, result.reason, ""
    else:
        check.status, check.corrected_utterance = GrammarCheck.Status.DONE, result.correction
        for edit in result.edits:
            mistake, _ = Mistake.objects.get_or_create(
                grammar_check=check,
                category=edit.category,
                original=edit.original[:500],
                correction=edit.correction[:500],
                defaults={
                    "player_id": check.player_id,
                    "explanation": edit.explanation,
                    "severity": min(5, max(1, edit.severity)),
                },
            )
            review_item_create_for_mistake(mistake=mistake)
    check.save()
    return check


def grammar_check_fail(*, turn_id: int, error: str) -> None:
    """Record that a turn's check gave up, so it is visible in the admin, not silently lost."""
    GrammarCheck.objects.filter(turn_id=turn_id, status=GrammarCheck.Status.PENDING).update(
        status=GrammarCheck.Status.FAILED, error=error[:2000], completed_at=timezone.now()
    )


def grammar_check_push(*, check: GrammarCheck, push_loop: asyncio.AbstractEventLoop | None = None) -> bool:
    """Send `grammar_correction` to every open socket of the player, once. Returns whether it was sent."""
    mistakes = list(check.mistakes.filter(status=Mistake.Status.ACTIVE).order_by("-severity", "pk"))
    if check.status != GrammarCheck.Status.DONE or not mistakes:
        return False
    # Claim the push and send it in one transaction: a redelivered task that finds it claimed (or
    # waits on the claim's row lock) sends nothing, and a send that fails releases the claim for
    # the task's retry instead of losing the correction.
    with transaction.atomic():
        if not GrammarCheck.objects.filter(pk=check.pk, pushed_at__isnull=True).update(pushed_at=timezone.now()):
            return False
        player_id = Player.objects.values_list("player_id", flat=True).get(pk=check.player_id)
        turn_uuid = Turn.objects.values_list("uuid", flat=True).get(pk=check.turn_id) if check.turn_id else None
        event = grammar_correction_event(
            player_id=player_id,
            turn_id=str(turn_uuid) if turn_uuid else None,
            original=check.utterance,
            correction=check.corrected_utterance,
            edits=[
                {
                    "original": m.original,
                    "correction": m.correction,
                    "category": m.category,
                    "explanation": m.explanation,
                    "severity": m.severity,
                }
                for m in mistakes
            ],
            timestamp=timezone.now().isoformat(),
        )
        layer, group = get_channel_layer(), player_group_name(player_id=player_id)
        message = {"type": "grammar.correction", "event": event}
        if push_loop is not None and push_loop.is_running():
            # An in-memory layer reaches only the sockets of the loop it is used on.
            asyncio.run_coroutine_threadsafe(layer.group_send(group, message), push_loop).result(
                timeout=PUSH_TIMEOUT_SECONDS
            )
        else:
            async_to_sync(layer.group_send)(group, message)
    return True


def mistake_reject(*, mistakes: QuerySet[Mistake], rejected_by: AbstractBaseUser) -> int:
    """Mark active mistakes as false positives; they leave statistics and review. Returns how many."""
    return mistakes.filter(status=Mistake.Status.ACTIVE).update(
        status=Mistake.Status.REJECTED, rejected_by=rejected_by, rejected_at=timezone.now()
    )


def mistake_restore(*, mistakes: QuerySet[Mistake]) -> int:
    """Undo a rejection: the mistakes count again and their review items (kept, with their
    schedule) are back in the queue. Returns how many were restored."""
    return mistakes.filter(status=Mistake.Status.REJECTED).update(
        status=Mistake.Status.ACTIVE, rejected_by=None, rejected_at=None
    )
