"""The web app hears of turns and corrections (connected in apps.py) to update live dashboards."""

import logging

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from conversations.models import Turn
from conversations.signals import turn_recorded
from grammar.models import GrammarCheck
from players.signals import world_event_recorded
from web.live import live_correction_publish, live_turn_publish, live_world_event_publish

logger = logging.getLogger(__name__)


@receiver(turn_recorded, sender=Turn, dispatch_uid="web_live_turn")
def live_turn(sender, *, turn_id: int, **kwargs) -> None:
    # A dashboard is a nicety: never let it break the learner's turn.
    try:
        live_turn_publish(turn_id=turn_id)
    except Exception:
        logger.exception("Live dashboard event of turn %s not sent", turn_id)


@receiver(post_save, sender=GrammarCheck, dispatch_uid="web_live_correction")
def live_correction(sender, *, instance: GrammarCheck, **kwargs) -> None:
    # The check is saved done once, with its mistakes, in grammar_check_store's transaction.
    if instance.status != GrammarCheck.Status.DONE:
        return

    def publish() -> None:
        try:
            live_correction_publish(check_id=instance.pk)
        except Exception:
            logger.exception("Live dashboard event of check %s not sent", instance.pk)

    transaction.on_commit(publish)


@receiver(world_event_recorded, dispatch_uid="web_live_world_event")
def live_world_event(sender, *, player_id: str, event_type: str, state, **kwargs) -> None:
    try:
        live_world_event_publish(player_id=player_id, event_type=event_type, state=state)
    except Exception:
        logger.exception("Live dashboard event %s of %s not sent", event_type, player_id)
