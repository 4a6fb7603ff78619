"""Writes for spaced review: scheduling mistakes, recording answers, deciding when to interrupt play."""

from dataclasses import asdict
from datetime import datetime, timedelta
from typing import TypedDict

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from grammar.exercises import exercise_answer_check, exercise_get
from grammar.models import Mistake, ReviewItem
from grammar.scheduling import ReviewState, answer_quality, review_state_next
from grammar.selectors import review_items_due_count
from players.models import Player

# A review interrupts the game, so it must be worth it: at least a short session's worth
# of due items, and not before the learner has had time to settle into the conversation.
REVIEW_TRIGGER_MIN_DUE_ITEMS = 3
REVIEW_TRIGGER_MIN_ACTIVE_MINUTES = 10


class ReviewAnswerResult(TypedDict):
    correct: bool
    correct_answer: str
    explanation: str
    next_due: str


def review_item_create_for_mistake(*, mistake: Mistake) -> ReviewItem:
    """Schedule the mistake for review (once: calling again returns the same item)."""
    # Due at once: the correction was only seen in passing, so the first review is where it is learnt.
    item, _ = ReviewItem.objects.get_or_create(
        mistake=mistake, defaults={"player_id": mistake.player_id, "due_at": mistake.created_at}
    )
    return item


def review_items_make_due(*, items: QuerySet[ReviewItem], now: datetime | None = None) -> int:
    """Bring items forward so the next session reviews them (their SM-2 state is kept). Returns how many."""
    return items.update(due_at=now or timezone.now())


def review_answer_record(*, item: ReviewItem, correct: bool, answered_at: datetime | None = None) -> ReviewItem:
    """Reschedule the item after an answer; returns it with its new state."""
    answered_at = answered_at or timezone.now()
    with transaction.atomic():
        # Re-read under a row lock so that two answers racing are applied one after the other.
        item = ReviewItem.objects.select_for_update().get(pk=item.pk)
        state = review_state_next(
            state=ReviewState(
                interval_days=item.interval_days, ease=item.ease, repetitions=item.repetitions, lapses=item.lapses
            ),
            quality=answer_quality(correct=correct),
        )
        for field, value in asdict(state).items():
            setattr(item, field, value)
        item.due_at = answered_at + timedelta(days=state.interval_days)
        item.last_reviewed_at = answered_at
        item.save(update_fields=[*asdict(state), "due_at", "last_reviewed_at"])
    return item


def review_answer_submit(
    *, player: Player, exercise_id: str, answer: str, answered_at: datetime | None = None
) -> ReviewAnswerResult:
    """Check an answer to a session's exercise and reschedule its item (raises ExerciseNotFound)."""
    item, exercise = exercise_get(player=player, exercise_id=exercise_id)
    correct = exercise_answer_check(answer=answer, correct_answer=exercise["correct_answer"])
    item = review_answer_record(item=item, correct=correct, answered_at=answered_at)
    return ReviewAnswerResult(
        correct=correct,
        correct_answer=exercise["correct_answer"],
        explanation=exercise["explanation"],
        next_due=item.due_at.isoformat(),
    )


def review_should_trigger(*, player: Player, active_minutes: float, now: datetime | None = None) -> bool:
    if active_minutes < REVIEW_TRIGGER_MIN_ACTIVE_MINUTES:
        return False
    return review_items_due_count(player=player, now=now) >= REVIEW_TRIGGER_MIN_DUE_ITEMS
