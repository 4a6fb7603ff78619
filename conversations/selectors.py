"""Reads for conversations: how much a learner practised, and their conversations with turns."""

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import TypedDict

from django.db.models import Count, Max, Prefetch, QuerySet
from django.db.models.functions import TruncDate

from conversations.models import Conversation, Turn
from npcs.models import NPC
from players.models import Player


class PracticeSummary(TypedDict):
    turns: int
    minutes: int
    npcs_met: list[NPC]
    streak_days: int
    last_practised: date | None


def _spoken_turns() -> QuerySet[Turn]:
    # A failed turn got no answer: it is not practice.
    return Turn.objects.exclude(status=Turn.Status.FAILED)


def turn_counts_by_player(
    *, players: Iterable[Player], since: datetime, until: datetime | None = None
) -> dict[int, int]:
    """Player pk -> turns taken (completed or interrupted) in [since, until)."""
    turns = _spoken_turns().filter(conversation__player__in=list(players), created_at__gte=since)
    if until is not None:
        turns = turns.filter(created_at__lt=until)
    rows = turns.values("conversation__player").annotate(count=Count("id")).order_by()
    return {row["conversation__player"]: row["count"] for row in rows}


def practice_days(*, player: Player) -> list[date]:
    """The days (UTC) the player took a turn, newest first."""
    days = (
        _spoken_turns()
        .filter(conversation__player=player)
        .annotate(day=TruncDate("created_at"))
        .values_list("day", flat=True)
        .distinct()
    )
    return sorted(days, reverse=True)


def practice_streak(*, days: Iterable[date], today: date) -> int:
    """Days in a row with practice, up to today; a streak that ended yesterday is still alive today."""
    practised = set(days)
    day = today if today in practised else today - timedelta(days=1)
    streak = 0
    while day in practised:
        streak += 1
        day -= timedelta(days=1)
    return streak


def practice_summary(*, player: Player, today: date) -> PracticeSummary:
    """Turns taken, minutes in conversation (from opening a conversation to its end, or to its
    last turn while it is open), NPCs talked to, and the streak of days practised."""
    conversations = Conversation.objects.filter(player=player).annotate(
        last_turn_at=Max("turns__created_at"), turn_count=Count("turns")
    )
    seconds = 0.0
    for conversation in conversations:
        end = conversation.ended_at or conversation.last_turn_at or conversation.started_at
        seconds += max(0.0, (end - conversation.started_at).total_seconds())
    days = practice_days(player=player)
    npcs = NPC.objects.filter(conversations__player=player, conversations__turns__isnull=False).distinct()
    return PracticeSummary(
        turns=_spoken_turns().filter(conversation__player=player).count(),
        minutes=round(seconds / 60),
        npcs_met=list(npcs.order_by("name")),
        streak_days=practice_streak(days=days, today=today),
        last_practised=days[0] if days else None,
    )


def conversation_list(*, player: Player, limit: int) -> list[Conversation]:
    """The player's latest conversations that have turns, newest first, with their NPC and turns."""
    conversations = (
        Conversation.objects.filter(player=player, turns__isnull=False)
        .distinct()
        .select_related("npc")
        .prefetch_related(Prefetch("turns", queryset=Turn.objects.order_by("index")))
        .order_by("-started_at", "-id")
    )
    return list(conversations[:limit])
