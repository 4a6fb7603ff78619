"""The engines' executor: timeouts with a clear error, and streams that stop early."""

from __future__ import annotations

import asyncio
import threading
import time
from contextlib import aclosing

import pytest

from engines.errors import EngineTimeoutError
from engines.executor import EngineExecutor

pytestmark = pytest.mark.asyncio


async def test_run_returns_the_result_from_a_worker_thread() -> None:
    pool = EngineExecutor(workers=1, timeout=5)
    name = await pool.run(lambda: threading.current_thread().name)
    assert name.startswith("engine")
    pool.shutdown()


async def test_a_call_that_cannot_get_a_worker_in_time_fails_clearly() -> None:
    pool = EngineExecutor(workers=1, timeout=5)
    release = threading.Event()
    busy = pool.run(release.wait, timeout=5)
    task = asyncio.ensure_future(busy)
    await asyncio.sleep(0.05)
    with pytest.raises(EngineTimeoutError, match="speech-to-text did not finish within 0.2 s"):
        await pool.run(lambda: 1, timeout=0.2, what="speech-to-text")
    release.set()
    assert await task is True
    pool.shutdown()


async def test_iterate_stops_the_producer_when_the_consumer_stops() -> None:
    pool = EngineExecutor(workers=1, timeout=5)
    produced: list[int] = []
    finished = threading.Event()

    def numbers(stop: threading.Event):
        try:
            for i in range(1000):
                if stop.is_set():
                    return
                produced.append(i)
                time.sleep(0.001)
                yield i
        finally:
            finished.set()

    got = []
    async with aclosing(pool.iterate(numbers)) as stream:
        async for value in stream:
            got.append(value)
            if len(got) == 3:
                break
    assert finished.wait(2)
    assert got == [0, 1, 2]
    assert len(produced) < 1000
    pool.shutdown()


async def test_iterate_re_raises_the_producer_error() -> None:
    pool = EngineExecutor(workers=1, timeout=5)

    def failing(stop: threading.Event):
        yield 1
        raise ValueError("boom")

    got = []
    with pytest.raises(ValueError, match="boom"):
        async for value in pool.iterate(failing):
            got.append(value)
    assert got == [1]
    pool.shutdown()
