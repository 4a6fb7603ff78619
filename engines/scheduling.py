"""Which engine work goes first when several learners share the cores.

Work that a learner is waiting to hear (the end of their utterance's transcription, the
reply's first sentence and its audio) is dispatched ahead of work whose result is not yet
awaited (the reply's later sentences, which play after the first; a speculative reply that
may be dropped) and of background work (partial transcripts, prompt prefill, grammar checks).

The priority travels in a context variable, set by the caller around what it starts: the
engines' pool reads it when a call is submitted and runs the call in the caller's context, so
the local language model's lock, taken inside the worker thread, sees it too.
"""

from __future__ import annotations

import contextvars
import heapq
import itertools
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from enum import IntEnum
from functools import partial
from typing import Any


class Priority(IntEnum):
    """Lower goes first."""

    FIRST_AUDIO = 0
    REPLY_REST = 1
    BACKGROUND = 2


_priority: contextvars.ContextVar[Priority] = contextvars.ContextVar("engine_priority", default=Priority.FIRST_AUDIO)


def current_priority() -> Priority:
    return _priority.get()


def engine_priority_set(priority: Priority) -> None:
    """For the rest of the current task (a task has its own copy of the context)."""
    _priority.set(priority)


@contextmanager
def engine_priority(priority: Priority) -> Iterator[None]:
    """Engine calls started inside (and in tasks created inside) get ``priority``."""
    token = _priority.set(priority)
    try:
        yield
    finally:
        _priority.reset(token)


class PriorityLock:
    """A lock granted to the most urgent waiter (by :func:`current_priority`), first come
    first served within a priority. For an engine that runs one call at a time."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._held = False
        self._waiting: list[tuple[int, int]] = []  # heap of (priority, arrival)
        self._arrivals = itertools.count()

    def acquire(self, timeout: float | None = None) -> bool:
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._condition:
            ticket = (int(current_priority()), next(self._arrivals))
            heapq.heappush(self._waiting, ticket)
            try:
                while self._held or self._waiting[0] != ticket:
                    left = None if deadline is None else deadline - time.monotonic()
                    if left is not None and left <= 0:
                        self._leave(ticket)
                        return False
                    self._condition.wait(left)
            except BaseException:
                self._leave(ticket)
                raise
            heapq.heappop(self._waiting)
            self._held = True
            return True

    def _leave(self, ticket: tuple[int, int]) -> None:
        self._waiting.remove(ticket)
        heapq.heapify(self._waiting)
        self._condition.notify_all()  # the head may have changed

    def try_acquire(self) -> bool:
        """Take it only if it is free and nobody waits: work that must never delay another."""
        with self._condition:
            if self._held or self._waiting:
                return False
            self._held = True
            return True

    def release(self) -> None:
        with self._condition:
            self._held = False
            self._condition.notify_all()

    def __enter__(self) -> PriorityLock:
        self.acquire()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()


@dataclass
class _Work:
    future: Future
    context: contextvars.Context
    call: Callable[[], Any]


class PriorityThreadPool(Executor):
    """A thread pool that, whenever a worker is free, starts the most urgent call waiting
    (by the :func:`current_priority` of its caller), first come first served within a priority.

    Each submitted call queues one "run the most urgent call" task on a plain
    ``ThreadPoolExecutor``, which keeps its threads, shutdown and exit handling; the task
    picks the call when it starts, not when it was queued."""

    def __init__(self, *, max_workers: int, thread_name_prefix: str) -> None:
        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix=thread_name_prefix)
        self._waiting: list[tuple[int, int, _Work]] = []  # heap of (priority, arrival, work)
        self._arrivals = itertools.count()
        self._lock = threading.Lock()
        self._closed = False

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        # The call runs in a copy of the caller's context: the priority (and any other
        # context variable) reaches the worker thread.
        work = _Work(future=Future(), context=contextvars.copy_context(), call=partial(fn, *args, **kwargs))
        with self._lock:
            if self._closed:
                raise RuntimeError("cannot schedule new futures after shutdown")
            heapq.heappush(self._waiting, (int(current_priority()), next(self._arrivals), work))
            self._pool.submit(self._run_most_urgent)
        return work.future

    def _run_most_urgent(self) -> None:
        with self._lock:
            _, _, work = heapq.heappop(self._waiting)
        if not work.future.set_running_or_notify_cancel():
            return  # cancelled while it waited (its caller timed out)
        try:
            result = work.context.run(work.call)
        except BaseException as exc:  # handed to the caller, as ThreadPoolExecutor does
            work.future.set_exception(exc)
        else:
            work.future.set_result(result)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self._lock:
            self._closed = True
            waiting = list(self._waiting) if cancel_futures else []
        for _, _, work in waiting:
            work.future.cancel()  # its task still pops it, and skips it
        self._pool.shutdown(wait=wait, cancel_futures=cancel_futures)
