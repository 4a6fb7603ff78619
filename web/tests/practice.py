"""Practice history for the page tests: conversations, turns, checks, mistakes and their review
items, made through the factories, dated where a test needs it."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from conversations.models import Conversation, Turn
from conversations.tests.factories import ConversationFactory, TurnFactory
from grammar.models import GrammarCheck, Mistake, ReviewItem
from grammar.tests.factories import GrammarCheckFactory, MistakeFactory, ReviewItemFactory


@dataclass
class Edit:
    category: str
    original: str
    correction: str
    explanation: str = ""
    severity: int = 3


def conversation_with(*, player, npc, at: datetime | None = None, minutes: int = 0) -> Conversation:
    at = at or timezone.now()
    conversation = ConversationFactory(player=player, npc=npc)
    Conversation.objects.filter(pk=conversation.pk).update(started_at=at, ended_at=at + timedelta(minutes=minutes))
    conversation.refresh_from_db()
    return conversation


def turn_with(
    *,
    conversation: Conversation,
    transcript: str,
    corrected: str = "",
    edits: tuple[Edit, ...] = (),
    at: datetime | None = None,
    reply: str = "I see!",
    checked: bool = True,
) -> Turn:
    """A turn, checked; each edit a mistake with its review item (due at once, as the product does)."""
    at = at or timezone.now()
    turn = TurnFactory(
        conversation=conversation, transcript=transcript, npc_reply=reply, index=conversation.turns.count()
    )
    Turn.objects.filter(pk=turn.pk).update(created_at=at)
    if not checked:
        return turn
    check = GrammarCheckFactory(turn=turn, corrected_utterance=corrected or transcript)
    GrammarCheck.objects.filter(pk=check.pk).update(created_at=at)
    for edit in edits:
        mistake = MistakeFactory(
            grammar_check=check,
            category=edit.category,
            original=edit.original,
            correction=edit.correction,
            explanation=edit.explanation,
            severity=edit.severity,
        )
        Mistake.objects.filter(pk=mistake.pk).update(created_at=at)
        mistake.refresh_from_db()
        ReviewItemFactory(mistake=mistake, due_at=at)
    turn.refresh_from_db()
    return turn


def review_items_of(player) -> list[ReviewItem]:
    return list(ReviewItem.objects.filter(player=player).order_by("pk"))


DONT = Edit("verb_conjugation", "don't", "doesn't", "Con «she», usa «doesn't».")
GOED = Edit("tense", "goed", "went", "El pasado de «go» es «went».")
A_APPLE = Edit("article", "a", "an", "Delante de vocal, «an».")
