"""Leaving a channel-layer group without ever failing the caller.

When hundreds of sockets close at once (a network blip, a game update), each consumer's
``disconnect`` discards its channel from its player's group. A failure there (Redis busy,
restarting, or a connection pool at its limit) must not keep the consumer from finishing:
its conversation is ended first, and a membership that could not be removed only lingers
until the channel layer's ``group_expiry``; messages sent to it expire unread.
"""

from __future__ import annotations

import asyncio
import logging

from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential_jitter

logger = logging.getLogger(__name__)

DISCARD_ATTEMPTS = 3


async def group_discard_quietly(channel_layer, group: str, channel: str) -> bool:
    """``channel_layer.group_discard(group, channel)``, retried briefly; never raises (a
    cancellation still propagates). True when the channel left the group."""
    if channel_layer is None:
        return True
    try:
        async for attempt in AsyncRetrying(
            stop=stop_after_attempt(DISCARD_ATTEMPTS),
            wait=wait_exponential_jitter(initial=0.05, max=1.0),
            retry=retry_if_exception_type(Exception),
            reraise=True,
        ):
            with attempt:
                await channel_layer.group_discard(group, channel)
        return True
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        logger.warning(
            "could not remove %s from group %s after %d attempts (%s: %s); it expires with the group",
            channel,
            group,
            DISCARD_ATTEMPTS,
            type(exc).__name__,
            exc,
        )
        return False
