from datetime import UTC, datetime, timedelta

import pytest

from grammar.exercises import ExerciseNotFound
from grammar.models import Mistake, ReviewItem
from grammar.review import (
    REVIEW_TRIGGER_MIN_ACTIVE_MINUTES,
    REVIEW_TRIGGER_MIN_DUE_ITEMS,
    review_answer_record,
    review_answer_submit,
    review_item_create_for_mistake,
    review_should_trigger,
)
from grammar.services import mistake_reject
from grammar.tests.factories import MistakeFactory, ReviewItemFactory
from players.tests.factories import PlayerFactory

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def _item(player, *, due_at=NOW, **mistake_fields):
    mistake = MistakeFactory(grammar_check__turn__conversation__player=player, **mistake_fields)
    return ReviewItemFactory(mistake=mistake, due_at=due_at)


@pytest.mark.django_db
def test_a_mistake_gets_one_review_item_due_at_once():
    mistake = MistakeFactory()

    item = review_item_create_for_mistake(mistake=mistake)
    again = review_item_create_for_mistake(mistake=mistake)

    assert again.pk == item.pk
    assert ReviewItem.objects.filter(mistake=mistake).count() == 1
    assert item.player == mistake.player
    assert item.due_at == mistake.created_at
    assert (item.interval_days, item.ease, item.repetitions, item.lapses) == (0, 2.5, 0, 0)
    assert item.last_reviewed_at is None


@pytest.mark.django_db
def test_correct_answers_push_the_item_out_by_the_sm2_intervals(player):
    item = _item(player)

    first = review_answer_record(item=item, correct=True, answered_at=NOW)
    second = review_answer_record(item=item, correct=True, answered_at=first.due_at)
    third = review_answer_record(item=item, correct=True, answered_at=second.due_at)

    assert first.due_at == NOW + timedelta(days=1)
    assert second.due_at == NOW + timedelta(days=7)
    assert third.due_at == NOW + timedelta(days=22)
    item.refresh_from_db()
    assert (item.interval_days, item.repetitions, item.lapses, item.ease) == (15, 3, 0, 2.5)
    assert item.last_reviewed_at == second.due_at


@pytest.mark.django_db
def test_a_wrong_answer_brings_the_item_back_tomorrow_with_a_lapse(player):
    item = ReviewItemFactory(
        mistake=MistakeFactory(grammar_check__turn__conversation__player=player), interval_days=15, repetitions=3
    )

    review_answer_record(item=item, correct=False, answered_at=NOW)

    item.refresh_from_db()
    assert item.due_at == NOW + timedelta(days=1)
    assert (item.interval_days, item.repetitions, item.lapses, item.ease) == (1, 0, 1, 2.18)


@pytest.mark.django_db
def test_review_triggers_after_enough_play_with_enough_due_items(player):
    for _ in range(REVIEW_TRIGGER_MIN_DUE_ITEMS - 1):
        _item(player, due_at=NOW - timedelta(hours=1))
    _item(player, due_at=NOW + timedelta(hours=1))
    enough = REVIEW_TRIGGER_MIN_ACTIVE_MINUTES

    assert not review_should_trigger(player=player, active_minutes=enough, now=NOW)

    _item(player, due_at=NOW)
    assert review_should_trigger(player=player, active_minutes=enough, now=NOW)
    assert not review_should_trigger(player=player, active_minutes=enough - 0.5, now=NOW)
    assert not review_should_trigger(player=PlayerFactory(), active_minutes=enough, now=NOW)


@pytest.mark.django_db
def test_rejected_mistakes_leave_the_review_queue(player, admin_user):
    items = [_item(player, due_at=NOW) for _ in range(REVIEW_TRIGGER_MIN_DUE_ITEMS)]
    assert review_should_trigger(player=player, active_minutes=60, now=NOW)

    mistake_reject(mistakes=Mistake.objects.filter(pk=items[0].mistake_id), rejected_by=admin_user)

    assert not review_should_trigger(player=player, active_minutes=60, now=NOW)
    with pytest.raises(ExerciseNotFound):
        review_answer_submit(player=player, exercise_id=f"{items[0].id}:correction", answer="x", answered_at=NOW)


@pytest.mark.django_db
def test_an_answer_is_checked_against_its_exercise_and_reschedules_the_item(player):
    item = _item(
        player,
        grammar_check__utterance="She don't like apples.",
        grammar_check__corrected_utterance="She doesn't like apples.",
    )

    result = review_answer_submit(
        player=player, exercise_id=f"{item.id}:fill_in_blank", answer=" Doesn\u2019t ", answered_at=NOW
    )

    assert result == {
        "correct": True,
        "correct_answer": "doesn't",
        "explanation": "With she, use doesn't.",
        "next_due": "2026-03-03T12:00:00+00:00",
    }
    item.refresh_from_db()
    assert (item.repetitions, item.last_reviewed_at) == (1, NOW)


@pytest.mark.django_db
def test_a_wrong_answer_is_reported_with_the_right_one(player):
    item = _item(
        player,
        grammar_check__utterance="She don't like apples.",
        grammar_check__corrected_utterance="She doesn't like apples.",
    )

    result = review_answer_submit(
        player=player, exercise_id=f"{item.id}:correction", answer="She don't like apples.", answered_at=NOW
    )

    assert result["correct"] is False
    assert result["correct_answer"] == "She doesn't like apples."
    item.refresh_from_db()
    assert item.lapses == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "exercise_id",
    ["", "abc", "{id}", "{id}:translation", "{id}:correction:x", "x:correction", "99999999999999999999:correction"],
)
def test_answers_to_unknown_exercises_are_refused(player, exercise_id):
    item = _item(player)
    with pytest.raises(ExerciseNotFound):
        review_answer_submit(player=player, exercise_id=exercise_id.format(id=item.id), answer="doesn't")
    item.refresh_from_db()
    assert item.last_reviewed_at is None


@pytest.mark.django_db
def test_a_player_cannot_answer_another_players_exercise(player):
    item = _item(PlayerFactory())
    with pytest.raises(ExerciseNotFound):
        review_answer_submit(player=player, exercise_id=f"{item.id}:correction", answer="doesn't", answered_at=NOW)
