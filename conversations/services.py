"""Writes for conversations: sessions and their turns."""

import uuid

from django.utils import timezone

from conversations.models import Conversation, Turn
from npcs.models import NPC
from players.models import Player


def conversation_start(*, player: Player, npc: NPC, language: str) -> Conversation:
    return Conversation.objects.create(player=player, npc=npc, language=language)


def conversation_end(*, conversation: Conversation) -> None:
    Conversation.objects.filter(pk=conversation.pk, ended_at__isnull=True).update(ended_at=timezone.now())


def turn_record(
    *,
    conversation: Conversation,
    index: int,
    turn_uuid: uuid.UUID,
    transcript: str,
    language: str,
    input_mode: str,
    audio_in_ms: int | None,
) -> Turn:
    """Store what the learner said, as soon as it is known. The caller announces it
    (``signals.turn_recorded_announce``) once committed, so a grammar worker always finds it."""
    return Turn.objects.create(
        conversation=conversation,
        index=index,
        uuid=turn_uuid,
        transcript=transcript,
        language=language,
        input_mode=input_mode,
        audio_in_ms=audio_in_ms,
    )


def turn_finish(*, turn: Turn, npc_reply: str, metrics: dict, engines: dict, status: str, error_code: str = "") -> None:
    """Store how the turn ended: the reply the learner heard, timings, engines, outcome."""
    turn.npc_reply, turn.metrics, turn.engines, turn.status, turn.error_code = (
        npc_reply,
        metrics,
        engines,
        status,
        error_code,
    )
    turn.save(update_fields=["npc_reply", "metrics", "engines", "status", "error_code"])
