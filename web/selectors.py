"""Reads that compose the pages: a learner's progress, a class dashboard and its CSV table.

The counting lives in the apps that own the data (conversations, grammar); this module
only puts it together and says what the page's words mean (a trend, needing attention).
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from conversations.selectors import turn_counts_by_player
from grammar.selectors import (
    CategoryCount,
    mistake_category_counts,
    mistake_category_counts_by_player,
    mistake_counts_per_week,
)
from players.models import Classroom, Player
from vocabulary.taxonomy import MistakeCategory

WEEK = timedelta(days=7)
PROGRESS_WEEKS = 8
TOP_CATEGORY_WEEKS = 4
# A rate from fewer turns than this says nothing.
TREND_MIN_TURNS = 3
# Mistakes per turn must move by a fifth to count as a change, not noise.
TREND_MARGIN = 0.2
ATTENTION_LIMIT = 3


class Trend(StrEnum):
    IMPROVING = "improving"
    WORSE = "worse"
    STEADY = "steady"
    UNKNOWN = "not enough practice"


TREND_DEFINITION = (
    f"Mistakes per turn over the last 7 days against the 7 days before: improving when it fell by "
    f"{TREND_MARGIN:.0%} or more, worse when it rose by {TREND_MARGIN:.0%} or more, steady otherwise; "
    f"not enough practice with fewer than {TREND_MIN_TURNS} turns in either week."
)
ATTENTION_DEFINITION = "Learners who did not practise this week or whose trend is worse, most mistakes per turn first."


def category_label(category: str) -> str:
    return MistakeCategory(category).label if category in MistakeCategory.values else category


def learner_trend(*, turns: int, mistakes: int, previous_turns: int, previous_mistakes: int) -> Trend:
    if turns < TREND_MIN_TURNS or previous_turns < TREND_MIN_TURNS:
        return Trend.UNKNOWN
    rate, previous_rate = mistakes / turns, previous_mistakes / previous_turns
    if rate <= previous_rate * (1 - TREND_MARGIN) and rate < previous_rate:
        return Trend.IMPROVING
    if rate >= previous_rate * (1 + TREND_MARGIN) and rate > previous_rate:
        return Trend.WORSE
    return Trend.STEADY


@dataclass
class LearnerRow:
    player: Player
    turns_week: int
    turns_previous_week: int
    mistakes_week: dict[str, int]
    mistakes_previous_week: int
    trend: Trend
    attention: list[str] = field(default_factory=list)

    @property
    def mistakes_week_total(self) -> int:
        return sum(self.mistakes_week.values())

    @property
    def mistakes_per_turn(self) -> float | None:
        return self.mistakes_week_total / self.turns_week if self.turns_week else None


@dataclass
class ClassDashboard:
    classroom: Classroom
    rows: list[LearnerRow]
    categories: list[str]
    needs_attention: list[LearnerRow]
    top_categories: list[CategoryCount]


def class_dashboard(*, classroom: Classroom, now: datetime) -> ClassDashboard:
    learners = list(classroom.learners.order_by("display_name", "player_id"))
    week_start, previous_start = now - WEEK, now - 2 * WEEK
    turns = turn_counts_by_player(players=learners, since=week_start)
    previous_turns = turn_counts_by_player(players=learners, since=previous_start, until=week_start)
    mistakes = mistake_category_counts_by_player(players=learners, since=week_start)
    previous_mistakes = mistake_category_counts_by_player(players=learners, since=previous_start, until=week_start)
    rows = []
    for learner in learners:
        row = LearnerRow(
            player=learner,
            turns_week=turns.get(learner.pk, 0),
            turns_previous_week=previous_turns.get(learner.pk, 0),
            mistakes_week=mistakes.get(learner.pk, {}),
            mistakes_previous_week=sum(previous_mistakes.get(learner.pk, {}).values()),
            trend=Trend.UNKNOWN,
        )
        row.trend = learner_trend(
            turns=row.turns_week,
            mistakes=row.mistakes_week_total,
            previous_turns=row.turns_previous_week,
            previous_mistakes=row.mistakes_previous_week,
        )
        if not row.turns_week:
            row.attention.append("no practice this week")
        if row.trend == Trend.WORSE:
            row.attention.append("more mistakes per turn than the week before")
        rows.append(row)
    needs_attention = sorted(
        (row for row in rows if row.attention),
        key=lambda row: (-(row.mistakes_per_turn or 0), -len(row.attention), row.player.player_id),
    )[:ATTENTION_LIMIT]
    top = mistake_category_counts(players=learners, since=now - TOP_CATEGORY_WEEKS * WEEK)
    return ClassDashboard(
        classroom=classroom,
        rows=rows,
        categories=sorted({category for row in rows for category in row.mistakes_week}),
        needs_attention=needs_attention,
        top_categories=top,
    )


def class_table(*, dashboard: ClassDashboard) -> list[list[str | int]]:
    """The dashboard's learner table as CSV rows: a header, then one row per learner."""
    categories = [category.value for category in MistakeCategory]
    header: list[str | int] = [
        "player_id",
        "name",
        "turns_this_week",
        "turns_previous_week",
        "mistakes_this_week",
        "mistakes_previous_week",
        "trend",
        "needs_attention",
        *(f"mistakes_this_week_{category}" for category in categories),
    ]
    rows: list[list[str | int]] = [header]
    for row in dashboard.rows:
        rows.append(
            [
                row.player.player_id,
                row.player.display_name,
                row.turns_week,
                row.turns_previous_week,
                row.mistakes_week_total,
                row.mistakes_previous_week,
                row.trend.value,
                "; ".join(row.attention),
                *(row.mistakes_week.get(category, 0) for category in categories),
            ]
        )
    return rows


def progress_chart(*, player: Player, now: datetime) -> dict:
    """Chart.js data: active mistakes per category, per week (Monday first) of the last weeks."""
    this_monday = (now - timedelta(days=now.weekday())).date()
    weeks = [this_monday - (PROGRESS_WEEKS - 1 - i) * WEEK for i in range(PROGRESS_WEEKS)]
    since = datetime.combine(weeks[0], datetime.min.time(), tzinfo=now.tzinfo)
    counts: dict[str, dict] = {}
    for row in mistake_counts_per_week(player=player, since=since):
        counts.setdefault(row["category"], {})[row["week"]] = row["count"]
    return {
        "labels": [week.isoformat() for week in weeks],
        "datasets": [
            {"label": category_label(category), "data": [by_week.get(week, 0) for week in weeks]}
            for category, by_week in sorted(counts.items())
        ],
    }
