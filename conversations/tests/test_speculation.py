"""Adopting a speculation: a cancelled head start is a miss, never the turn's cancellation."""

import asyncio

import pytest

from conversations.orchestrator import SPECULATION, speculation_adopt

pytestmark = pytest.mark.asyncio


async def _never_done() -> None:
    await asyncio.Event().wait()


async def test_a_speculation_cancelled_on_its_own_is_a_miss_and_the_turn_goes_on():
    speculation = asyncio.create_task(_never_done())
    await asyncio.sleep(0)
    speculation.cancel()
    misses = SPECULATION.misses

    assert await speculation_adopt(speculation) is None
    assert SPECULATION.misses == misses + 1


async def test_a_turn_cancelled_while_it_waits_for_its_speculation_stays_cancelled():
    speculation = asyncio.create_task(_never_done())
    turn = asyncio.create_task(speculation_adopt(speculation))
    await asyncio.sleep(0)
    turn.cancel()

    with pytest.raises(asyncio.CancelledError):
        await turn
    assert speculation.cancelled()
