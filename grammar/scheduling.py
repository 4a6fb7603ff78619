"""SM-2 spaced repetition, pure: state in, state out, no database and no clock.

SM-2 rather than FSRS: FSRS only beats SM-2 once its weights are fitted to a large log
of each learner's reviews, which a new game does not have; SM-2 needs no training and
its state (interval, ease, repetitions) is easy to read in the admin.
"""

from dataclasses import dataclass, replace

INITIAL_EASE = 2.5
MIN_EASE = 1.3
# Quality 3 or more is a successful recall (SM-2's own threshold).
PASSING_QUALITY = 3
# A binary answer maps onto SM-2's 0-5 scale: a right answer keeps the ease as it is (4);
# a wrong one is 2 rather than 0-1 because a typed or clicked answer cannot tell a slip
# from a blank, so it lowers the ease by 0.32 instead of 0.54-0.8.
CORRECT_QUALITY = 4
INCORRECT_QUALITY = 2
# A mistake not seen for a year deserves another look; this also keeps due dates far
# from datetime's upper limit after long streaks.
MAX_INTERVAL_DAYS = 365


@dataclass(frozen=True, kw_only=True)
class ReviewState:
    interval_days: int = 0
    ease: float = INITIAL_EASE
    repetitions: int = 0
    lapses: int = 0


def answer_quality(*, correct: bool) -> int:
    return CORRECT_QUALITY if correct else INCORRECT_QUALITY


def review_state_next(*, state: ReviewState, quality: int) -> ReviewState:
    """The state after one review graded `quality` (0 = blackout ... 5 = perfect)."""
    if not 0 <= quality <= 5:
        raise ValueError(f"SM-2 quality must be between 0 and 5, got {quality}.")
    miss = 5 - quality
    ease = max(MIN_EASE, round(state.ease + 0.1 - miss * (0.08 + miss * 0.02), 2))
    if quality < PASSING_QUALITY:
        # Relearn from the first interval, keeping the lowered ease.
        return replace(state, interval_days=1, ease=ease, repetitions=0, lapses=state.lapses + 1)
    if state.repetitions == 0:
        interval = 1
    elif state.repetitions == 1:
        interval = 6
    else:
        interval = min(MAX_INTERVAL_DAYS, round(state.interval_days * ease))
    return replace(state, interval_days=interval, ease=ease, repetitions=state.repetitions + 1)
