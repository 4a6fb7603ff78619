"""Engine work is dispatched by urgency: what a learner waits to hear goes before what can wait."""

import asyncio
import threading
from concurrent.futures import CancelledError

import pytest

from engines.executor import EngineExecutor
from engines.scheduling import Priority, PriorityLock, PriorityThreadPool, current_priority, engine_priority

WAIT = 10  # seconds: a bound on waits that take milliseconds when all is well


def submit_at(pool: PriorityThreadPool, priority: Priority, fn, *args):
    with engine_priority(priority):
        return pool.submit(fn, *args)


def test_a_free_worker_starts_the_most_urgent_waiting_call_first_come_first_served_within_a_priority():
    pool = PriorityThreadPool(max_workers=1, thread_name_prefix="test")
    release = threading.Event()
    started: list[str] = []
    busy = pool.submit(release.wait, WAIT)
    waiting = [
        submit_at(pool, Priority.BACKGROUND, started.append, "partial transcript"),
        submit_at(pool, Priority.REPLY_REST, started.append, "second sentence"),
        submit_at(pool, Priority.FIRST_AUDIO, started.append, "end of utterance"),
        submit_at(pool, Priority.BACKGROUND, started.append, "grammar check"),
        submit_at(pool, Priority.FIRST_AUDIO, started.append, "first sentence"),
    ]
    release.set()
    for future in [busy, *waiting]:
        future.result(WAIT)
    assert started == ["end of utterance", "first sentence", "second sentence", "partial transcript", "grammar check"]
    pool.shutdown()


def test_a_call_runs_in_its_callers_context_and_its_result_or_error_comes_back():
    pool = PriorityThreadPool(max_workers=2, thread_name_prefix="test")
    assert submit_at(pool, Priority.BACKGROUND, current_priority).result(WAIT) is Priority.BACKGROUND
    assert pool.submit(current_priority).result(WAIT) is Priority.FIRST_AUDIO  # the default

    def fail():
        raise ValueError("engine said no")

    with pytest.raises(ValueError, match="engine said no"):
        pool.submit(fail).result(WAIT)
    pool.shutdown()


def test_a_call_cancelled_while_it_waits_never_runs_and_the_next_one_does():
    pool = PriorityThreadPool(max_workers=1, thread_name_prefix="test")
    release = threading.Event()
    ran: list[str] = []
    busy = pool.submit(release.wait, WAIT)
    abandoned = pool.submit(ran.append, "abandoned")
    kept = pool.submit(ran.append, "kept")
    assert abandoned.cancel()
    release.set()
    busy.result(WAIT)
    kept.result(WAIT)
    assert ran == ["kept"]
    pool.shutdown()


@pytest.mark.asyncio
async def test_shutting_the_engines_pool_down_fails_waiting_calls_instead_of_leaving_them_hanging():
    executor = EngineExecutor(workers=1, timeout=WAIT)
    started, release = threading.Event(), threading.Event()

    def hold() -> bool:
        started.set()
        return release.wait(WAIT)

    busy = asyncio.ensure_future(executor.run(hold))
    waiting = asyncio.ensure_future(executor.run(lambda: "never"))
    assert await asyncio.to_thread(started.wait, WAIT)
    executor.shutdown()
    release.set()
    with pytest.raises((asyncio.CancelledError, CancelledError)):
        await asyncio.wait_for(waiting, WAIT)
    assert await busy is True


@pytest.mark.asyncio
async def test_the_engines_pool_dispatches_by_the_priority_its_callers_set():
    executor = EngineExecutor(workers=1, timeout=WAIT)
    release = threading.Event()
    started: list[str] = []
    busy = asyncio.ensure_future(executor.run(release.wait, WAIT))
    await asyncio.sleep(0)  # the busy call is queued first, so it takes the only worker

    async def call(name: str, priority: Priority) -> None:
        with engine_priority(priority):
            await executor.run(started.append, name)

    calls = [asyncio.ensure_future(call("prefill", Priority.BACKGROUND))]
    await asyncio.sleep(0)
    calls.append(asyncio.ensure_future(call("reply", Priority.FIRST_AUDIO)))
    await asyncio.sleep(0.05)
    release.set()
    await asyncio.gather(busy, *calls)
    assert started == ["reply", "prefill"]
    executor.shutdown()


def acquire_in_thread(lock: PriorityLock, priority: Priority, order: list[str], name: str) -> threading.Thread:
    def take() -> None:
        with engine_priority(priority):
            assert lock.acquire(timeout=WAIT)
        order.append(name)
        lock.release()

    thread = threading.Thread(target=take)
    thread.start()
    return thread


def wait_for_waiters(lock: PriorityLock, count: int) -> None:
    for _ in range(WAIT * 100):
        with lock._condition:
            if len(lock._waiting) == count:
                return
        threading.Event().wait(0.01)
    raise AssertionError(f"{count} waiters never queued")


def test_the_model_lock_goes_to_the_most_urgent_waiter_not_the_first():
    lock = PriorityLock()
    assert lock.acquire()
    order: list[str] = []
    threads = [acquire_in_thread(lock, Priority.BACKGROUND, order, "review exercise")]
    wait_for_waiters(lock, 1)
    threads.append(acquire_in_thread(lock, Priority.REPLY_REST, order, "speculative reply"))
    wait_for_waiters(lock, 2)
    threads.append(acquire_in_thread(lock, Priority.FIRST_AUDIO, order, "reply"))
    wait_for_waiters(lock, 3)
    lock.release()
    for thread in threads:
        thread.join(WAIT)
    assert order == ["reply", "speculative reply", "review exercise"]


def test_a_waiter_that_times_out_leaves_the_queue_and_background_work_never_cuts_in_before_a_waiter():
    lock = PriorityLock()
    assert lock.acquire()
    with engine_priority(Priority.BACKGROUND):
        assert not lock.acquire(timeout=0.05)
    assert lock._waiting == []
    holding, done = threading.Event(), threading.Event()

    def reply() -> None:
        assert lock.acquire(timeout=WAIT)
        holding.set()
        done.wait(WAIT)
        lock.release()

    waiter = threading.Thread(target=reply)
    waiter.start()
    wait_for_waiters(lock, 1)
    lock.release()
    # Free for an instant, but a reply waits (or has just taken it): a prefill never cuts in.
    assert not lock.try_acquire()
    assert holding.wait(WAIT)
    done.set()
    waiter.join(WAIT)
    assert lock.try_acquire()
    assert not lock.try_acquire()
    lock.release()
    with lock:  # as a context manager, like threading.Lock
        assert not lock.try_acquire()
    assert lock.try_acquire()
