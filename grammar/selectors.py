"""Reads for grammar: mistake statistics and the review queue (active mistakes only)."""

from collections.abc import Sequence
from datetime import datetime
from typing import TypedDict

from django.db.models import Case, Count, IntegerField, QuerySet, Value, When
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


def mistake_top_categories(*, player: Player, since: datetime | None = None) -> list[CategoryCount]:
    """[{"category", "count"}] of the player's active mistakes, most frequent first."""
    mistakes = Mistake.objects.filter(player=player, status=Mistake.Status.ACTIVE)
    if since is not None:
        mistakes = mistakes.filter(created_at__gte=since)
    rows = mistakes.values("category").annotate(count=Count("id")).order_by("-count", "category")
    return [CategoryCount(category=row["category"], count=row["count"]) for row in rows]


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
