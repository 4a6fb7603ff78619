"""Grammar listens for the turns the conversation room records (connected in apps.py)."""

import logging

from channels.db import database_sync_to_async
from django.dispatch import receiver

from conversations.models import Turn
from conversations.signals import turn_recorded
from grammar.services import grammar_check_enqueue, grammar_check_prepare

logger = logging.getLogger(__name__)


@receiver(turn_recorded, sender=Turn, dispatch_uid="grammar_check_recorded_turn")
async def grammar_check_recorded_turn(sender, *, turn_id: int, **kwargs) -> None:
    # The pending check is stored first: if the broker is down, the check is kept, and
    # grammar_checks_requeue queues it once the broker is back.
    await database_sync_to_async(grammar_check_prepare)(turn_id=turn_id)
    try:
        await grammar_check_enqueue(turn_id=turn_id)
    except Exception as exc:
        logger.warning("grammar check of turn %s kept pending, not queued (%s); requeued later", turn_id, exc)
