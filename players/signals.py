"""What the players room tells the rooms above it, without importing them."""

import logging

from django.dispatch import Signal

logger = logging.getLogger(__name__)

# Sent with ``player_id``, ``event_type`` (the game's, e.g. "PlayerMoved") and ``state`` (the
# player's world state after it) once a game event is stored: the web room shows it live.
world_event_recorded = Signal()


async def world_event_recorded_announce(*, player_id: str, event_type: str, state: object) -> None:
    """Tell the listeners; one that fails is logged and costs the game event nothing."""
    results = await world_event_recorded.asend_robust(
        sender=None, player_id=player_id, event_type=event_type, state=state
    )
    for receiver, outcome in results:
        if isinstance(outcome, Exception):
            logger.error("%s could not take %s of %s", receiver.__qualname__, event_type, player_id, exc_info=outcome)
