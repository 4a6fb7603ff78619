"""What the conversation room tells the rooms above it, without importing them."""

import logging

from django.dispatch import Signal

logger = logging.getLogger(__name__)

# Sent with ``turn_id`` once a learner's words are stored and committed: the grammar room
# listens and has them checked (conversations never imports grammar).
turn_recorded = Signal()


async def turn_recorded_announce(*, turn_id: int) -> None:
    """Tell the listeners; one that fails is logged and costs the turn nothing."""
    from conversations.models import Turn

    for receiver, outcome in await turn_recorded.asend_robust(sender=Turn, turn_id=turn_id):
        if isinstance(outcome, Exception):
            logger.error("%s could not take turn %s", receiver.__qualname__, turn_id, exc_info=outcome)
