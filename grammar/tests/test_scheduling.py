import pytest

from grammar.scheduling import MAX_INTERVAL_DAYS, MIN_EASE, ReviewState, answer_quality, review_state_next


def _answer_all(state: ReviewState, answers: list[bool]) -> list[ReviewState]:
    states = []
    for correct in answers:
        state = review_state_next(state=state, quality=answer_quality(correct=correct))
        states.append(state)
    return states


def test_correct_answers_follow_the_sm2_intervals_and_keep_the_ease():
    states = _answer_all(ReviewState(), [True] * 5)
    assert [state.interval_days for state in states] == [1, 6, 15, 38, 95]
    assert [state.repetitions for state in states] == [1, 2, 3, 4, 5]
    assert {state.ease for state in states} == {2.5}
    assert states[-1].lapses == 0


def test_a_wrong_answer_restarts_the_intervals_with_a_lower_ease():
    learnt = _answer_all(ReviewState(), [True, True, True])[-1]
    assert learnt.interval_days == 15

    states = _answer_all(learnt, [False, True, True, True])
    assert states[0] == ReviewState(interval_days=1, ease=2.18, repetitions=0, lapses=1)
    # Relearning grows more slowly than the first time: 6 * 2.18 = 13.08 days, not 15.
    assert [state.interval_days for state in states[1:]] == [1, 6, 13]
    assert states[-1].lapses == 1


@pytest.mark.parametrize(("quality", "ease"), [(5, 2.6), (4, 2.5), (3, 2.36), (2, 2.18), (1, 1.96), (0, 1.7)])
def test_quality_moves_the_ease_by_the_sm2_formula(quality, ease):
    assert review_state_next(state=ReviewState(), quality=quality).ease == ease


@pytest.mark.parametrize(("quality", "passed"), [(3, True), (2, False)])
def test_quality_three_is_the_lowest_pass(quality, passed):
    state = review_state_next(state=ReviewState(interval_days=6, repetitions=2), quality=quality)
    assert (state.repetitions == 3) is passed
    assert (state.lapses == 1) is not passed


def test_the_ease_never_drops_below_the_floor():
    states = _answer_all(ReviewState(), [False] * 10)
    assert states[-1].ease == MIN_EASE
    assert states[-1].lapses == 10


def test_intervals_are_capped():
    state = review_state_next(state=ReviewState(interval_days=300, repetitions=8), quality=4)
    assert state.interval_days == MAX_INTERVAL_DAYS


@pytest.mark.parametrize("quality", [-1, 6])
def test_quality_outside_0_to_5_is_refused(quality):
    with pytest.raises(ValueError):
        review_state_next(state=ReviewState(), quality=quality)
