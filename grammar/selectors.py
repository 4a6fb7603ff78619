"""Reads for grammar: mistake statistics and the review queue (active mistakes only)."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import TypedDict

from django.db.models import Case, Count, IntegerField, Prefetch, QuerySet, Value, When
from django.db.models.functions import TruncWeek
from django.utils import timezone

from grammar.models import GrammarCheck, Mistake, ReviewItem
from players.models import Classroom, Player


class CategoryCount(TypedDict):
    category: str
    count: int


def _review_queue(*, player: Player) -> QuerySet[ReviewItem]:
    # Rejected mistakes are false positives: never review them.
    return ReviewItem.objects.filter(player=player, mistake__status=Mistake.Status.ACTIVE).select_related(
        "mistake__grammar_check", "player"
    )


def review_items_due(*, player: Player, now: datetime | None = None, limit: int) -> list[ReviewItem]:
    """Due items, most overdue first."""
    now = now or timezone.now()
    return list(_review_queue(player=player).filter(due_at__lte=now).order_by("due_at", "id")[:limit])


def review_items_due_count(*, player: Player, now: datetime | None = None) -> int:
    return _review_queue(player=player).filter(due_at__lte=(now or timezone.now())).count()


def review_items_upcoming(
    *, player: Player, categories: Sequence[str], now: datetime | None = None, limit: int
) -> list[ReviewItem]:
    """Items not due yet in `categories`, the first category's first, each soonest due first."""
    if not categories:
        return []
    rank = Case(
        *(When(mistake__category=category, then=Value(i)) for i, category in enumerate(categories)),
        output_field=IntegerField(),
    )
    items = _review_queue(player=player).filter(due_at__gt=now or timezone.now(), mistake__category__in=categories)
    return list(items.order_by(rank, "due_at", "id")[:limit])


def review_item_get(*, player: Player, review_item_id: int) -> ReviewItem | None:
    return _review_queue(player=player).filter(id=review_item_id).first()


class WeekCategoryCount(TypedDict):
    week: date
    category: str
    count: int


def _active_mistakes(
    *, players: Iterable[Player], since: datetime | None = None, until: datetime | None = None
) -> QuerySet[Mistake]:
    mistakes = Mistake.objects.filter(player__in=list(players), status=Mistake.Status.ACTIVE)
    if since is not None:
        mistakes = mistakes.filter(created_at__gte=since)
    if until is not None:
        mistakes = mistakes.filter(created_at__lt=until)
    return mistakes


def mistake_top_categories(*, player: Player, since: datetime | None = None) -> list[CategoryCount]:
    """[{"category", "count"}] of the player's active mistakes, most frequent first."""
    return mistake_category_counts(players=[player], since=since)


def mistake_category_counts(*, players: Iterable[Player], since: datetime | None = None) -> list[CategoryCount]:
    """[{"category", "count"}] of the players' active mistakes together, most frequent first."""
    rows = (
        _active_mistakes(players=players, since=since)
        .values("category")
        .annotate(count=Count("id"))
        .order_by("-count", "category")
    )
    return [CategoryCount(category=row["category"], count=row["count"]) for row in rows]


def mistake_category_counts_by_player(
    *, players: Iterable[Player], since: datetime, until: datetime | None = None
) -> dict[int, dict[str, int]]:
    """Player pk -> category -> active mistakes in [since, until)."""
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    rows = _active_mistakes(players=players, since=since, until=until).values("player", "category")
    for row in rows.annotate(count=Count("id")).order_by():
        counts[row["player"]][row["category"]] = row["count"]
    return dict(counts)


def mistake_counts_per_week(*, player: Player, since: datetime) -> list[WeekCategoryCount]:
    """Active mistakes per (week starting Monday, category) since `since`, oldest week first."""
    rows = (
        _active_mistakes(players=[player], since=since)
        .annotate(week=TruncWeek("created_at"))
        .values("week", "category")
        .annotate(count=Count("id"))
        .order_by("week", "category")
    )
    return [WeekCategoryCount(week=row["week"].date(), category=row["category"], count=row["count"]) for row in rows]


def mistake_list(
    *,
    player: Player,
    category: str | None = None,
    npc_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    include_rejected: bool = False,
) -> QuerySet[Mistake]:
    """The player's mistakes, newest first, with what they said and to which NPC."""
    mistakes = Mistake.objects.filter(player=player).select_related(
        "grammar_check__turn__conversation__npc", "rejected_by"
    )
    if not include_rejected:
        mistakes = mistakes.filter(status=Mistake.Status.ACTIVE)
    if category:
        mistakes = mistakes.filter(category=category)
    if npc_id:
        mistakes = mistakes.filter(grammar_check__turn__conversation__npc_id=npc_id)
    if since is not None:
        mistakes = mistakes.filter(created_at__gte=since)
    if until is not None:
        mistakes = mistakes.filter(created_at__lt=until)
    return mistakes.order_by("-created_at", "-id")


def mistake_forms_by_category(*, player: Player, categories: Sequence[str], limit: int = 200) -> dict[str, list[str]]:
    """The spans (wrong and corrected) of the player's recent active mistakes, per category, newest first."""
    rows = (
        Mistake.objects.filter(player=player, status=Mistake.Status.ACTIVE, category__in=categories)
        .order_by("-created_at", "-id")
        .values_list("category", "original", "correction")[:limit]
    )
    forms: dict[str, list[str]] = {category: [] for category in categories}
    for category, *spans in rows:
        forms[category].extend(span for span in spans if span and span not in forms[category])
    return forms


def mistake_get(*, mistake_id: int) -> Mistake | None:
    return Mistake.objects.select_related("player", "rejected_by").filter(id=mistake_id).first()


def mistake_can_curate(*, user, mistake: Mistake) -> bool:
    """Whether a user may reject a mistake as a false positive (or restore it): staff, or a
    teacher of a classroom the mistake's player belongs to."""
    if not (user.is_authenticated and user.is_active):
        return False
    return user.is_staff or Classroom.objects.filter(teacher=user, learners=mistake.player_id).exists()


def grammar_check_result(*, check: GrammarCheck) -> dict:
    """PROTOCOL.md's grammar result of a stored check: the most severe error leads, `edits` has all."""
    mistakes = list(check.mistakes.filter(status=Mistake.Status.ACTIVE).order_by("-severity", "pk"))
    worst = mistakes[0] if mistakes else None
    return {
        "status": check.status,
        "mistake_found": worst is not None,
        "category": worst.category if worst else None,
        "original": check.utterance,
        "correction": check.corrected_utterance or check.utterance,
        "explanation": worst.explanation if worst else "",
        "severity": worst.severity if worst else 0,
        "edits": [
            {
                "original": m.original,
                "correction": m.correction,
                "category": m.category,
                "explanation": m.explanation,
                "severity": m.severity,
            }
            for m in mistakes
        ],
    }


def grammar_checks_by_turn(*, turn_ids: Iterable[int]) -> dict[int, GrammarCheck]:
    """Turn pk -> its check, with its mistakes (rejected ones too, for curation) most severe first."""
    checks = GrammarCheck.objects.filter(turn__in=list(turn_ids)).prefetch_related(
        Prefetch("mistakes", queryset=Mistake.objects.order_by("-severity", "pk"))
    )
    return {check.turn_id: check for check in checks if check.turn_id is not None}
