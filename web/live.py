"""The live class dashboard: events about a class's learners, published on the channel layer to
the teachers' browsers (any server process, through Redis in production)."""

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.utils import timezone

from conversations.models import Turn
from grammar.models import GrammarCheck, Mistake
from players.models import Classroom, Player
from web.live_events import ConversationTurnLiveEvent, GrammarCorrectionLiveEvent, LiveEvent


def classroom_group_name(*, classroom_id: int) -> str:
    return f"teach.class.{classroom_id}"


def _publish(*, player: Player, event: LiveEvent) -> None:
    layer, message = get_channel_layer(), {"type": "live.event", "event": event.model_dump(mode="json")}
    for classroom_id in Classroom.objects.filter(learners=player).values_list("id", flat=True):
        async_to_sync(layer.group_send)(classroom_group_name(classroom_id=classroom_id), message)


def live_turn_publish(*, turn_id: int) -> None:
    """`conversation_turn`: a learner said something to an NPC (who is talking to whom right now)."""
    turn = Turn.objects.select_related("conversation__player", "conversation__npc").get(pk=turn_id)
    player, npc = turn.conversation.player, turn.conversation.npc
    _publish(
        player=player,
        event=ConversationTurnLiveEvent(
            player_id=player.player_id,
            player_name=str(player),
            npc_id=npc.npc_id,
            npc_name=npc.name,
            turn_id=str(turn.uuid),
            text=turn.transcript,
            timestamp=timezone.now().isoformat(),
        ),
    )


def live_correction_publish(*, check_id: int) -> None:
    """`grammar_correction`: a learner's utterance was corrected (active mistakes only)."""
    check = GrammarCheck.objects.select_related("player").get(pk=check_id)
    categories = list(
        check.mistakes.filter(status=Mistake.Status.ACTIVE).order_by("-severity").values_list("category", flat=True)
    )
    if not categories:
        return
    _publish(
        player=check.player,
        event=GrammarCorrectionLiveEvent(
            player_id=check.player.player_id,
            player_name=str(check.player),
            original=check.utterance,
            correction=check.corrected_utterance,
            categories=categories,
            timestamp=timezone.now().isoformat(),
        ),
    )
