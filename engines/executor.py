"""The engines' own bounded thread pool.

CPU-bound inference (Whisper, llama.cpp, Piper, espeak-ng, Harper) runs here, never
on the event loop and never in ``sync_to_async``'s thread, which the ORM needs.
Every call has a timeout that covers waiting for a free worker too, so a turn that
cannot get an engine in time fails with :class:`EngineTimeoutError` instead of hanging.
When calls wait for a worker, the most urgent goes first (:mod:`engines.scheduling`).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncGenerator, Callable, Iterator
from typing import Any, TypeVar

from .errors import EngineTimeoutError
from .scheduling import PriorityThreadPool

T = TypeVar("T")

_DONE = object()


class EngineExecutor:
    def __init__(self, *, workers: int, timeout: float) -> None:
        self.workers = max(1, workers)
        self.timeout = timeout
        # The most urgent call waiting starts first (scheduling.py).
        self._pool = PriorityThreadPool(max_workers=self.workers, thread_name_prefix="engine")

    async def run(self, fn: Callable[..., T], *args: Any, timeout: float | None = None, what: str = "engine call") -> T:
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self._pool, lambda: fn(*args))
        limit = self.timeout if timeout is None else timeout
        try:
            return await asyncio.wait_for(future, limit)
        except TimeoutError:
            raise EngineTimeoutError(f"{what} did not finish within {limit:g} s") from None

    async def iterate(
        self,
        make_iterator: Callable[[threading.Event], Iterator[T]],
        *,
        timeout: float | None = None,
        what: str = "engine stream",
    ) -> AsyncGenerator[T]:
        """Consume a blocking iterator in a worker thread and yield its items here.

        ``make_iterator`` gets a stop event: it is set when the consumer stops early
        (cancelled turn, ``break``), and the producer checks it between items so the
        worker is released at the next token or sentence boundary. ``timeout`` bounds
        the wait for each item (the first one includes the wait for a free worker).
        """
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[Any] = asyncio.Queue()
        stop = threading.Event()
        limit = self.timeout if timeout is None else timeout

        def put(item: Any) -> None:
            loop.call_soon_threadsafe(queue.put_nowait, item)

        def produce() -> None:
            iterator: Iterator[T] | None = None
            try:
                iterator = make_iterator(stop)
                for item in iterator:
                    put(item)
                    if stop.is_set():
                        break
            except BaseException as exc:  # handed to the consumer, re-raised there
                put(_Failure(exc))
            finally:
                close = getattr(iterator, "close", None)
                if close is not None:
                    close()  # a generator's finally (e.g. releasing a lock) runs now, in this thread
                put(_DONE)

        worker = loop.run_in_executor(self._pool, produce)
        try:
            while True:
                try:
                    item = await asyncio.wait_for(queue.get(), limit)
                except TimeoutError:
                    raise EngineTimeoutError(f"{what} produced nothing within {limit:g} s") from None
                if item is _DONE:
                    break
                if isinstance(item, _Failure):
                    raise item.exc
                yield item
        finally:
            stop.set()
            if worker.done():
                worker.exception()  # retrieved, so asyncio does not warn

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


class _Failure:
    __slots__ = ("exc",)

    def __init__(self, exc: BaseException) -> None:
        self.exc = exc
