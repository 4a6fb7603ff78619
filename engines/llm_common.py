"""What the server language models share: retries before the first token only (tenacity),
and turning transport failures into the engines' own errors."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
    wait_random,
)

from .errors import (
    EngineError,
    EngineResponseError,
    EngineTimeoutError,
    EngineUnreachableError,
    RateLimitedError,
)

logger = logging.getLogger("engines")

RETRYABLE_STATUS = frozenset({429, 503})


def _transport_classes() -> tuple[tuple[type, ...], tuple[type, ...]]:
    timeouts: list[type] = []
    transport: list[type] = []
    for module_name in ("httpx", "httpx2"):
        try:
            module = __import__(module_name)
        except ImportError:
            continue
        timeouts.append(module.TimeoutException)
        transport.append(module.TransportError)
    return tuple(timeouts), tuple(transport)


def translate_transport_error(exc: BaseException, *, engine: str, url: str) -> EngineError | None:
    """An httpx/httpx2 timeout or connection failure as an engine error (None if it is not one)."""
    timeouts, transport = _transport_classes()
    if timeouts and isinstance(exc, timeouts):
        return EngineTimeoutError(f"{engine} at {url} did not answer in time")
    if transport and isinstance(exc, transport):
        return EngineUnreachableError(f"{engine} at {url} is unreachable ({exc})")
    return None


def status_error(engine: str, status: int, message: str) -> EngineResponseError:
    text = f"{engine} answered HTTP {status}: {message}".strip()
    if status == 429:
        return RateLimitedError(text, status=status)
    return EngineResponseError(text, status=status)


def _retrying(*, attempts: int, base_delay: float, engine: str) -> AsyncRetrying:
    """429/503 retried with exponential backoff and a little jitter; anything else raised at once."""

    def log_retry(state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        delay = state.next_action.sleep if state.next_action else 0.0
        status = getattr(error, "status", "?")
        logger.warning("%s: HTTP %s, retry %d in %.2f s", engine, status, state.attempt_number, delay)

    return AsyncRetrying(
        stop=stop_after_attempt(max(1, attempts)),
        wait=wait_exponential(multiplier=base_delay) + wait_random(0, base_delay / 4),
        retry=retry_if_exception(lambda exc: isinstance(exc, EngineResponseError) and exc.status in RETRYABLE_STATUS),
        before_sleep=log_retry,
        reraise=True,
    )


async def call_with_retries(
    call: Callable[[], Awaitable[Any]], *, attempts: int, base_delay: float, engine: str
) -> Any:
    """One request (no stream), retried on 429/503."""
    async for attempt in _retrying(attempts=attempts, base_delay=base_delay, engine=engine):
        with attempt:
            return await call()


async def stream_with_retries(
    open_stream: Callable[[], Awaitable[AsyncIterator[str]]],
    *,
    attempts: int,
    base_delay: float,
    engine: str,
) -> AsyncIterator[str]:
    """Open a stream, retrying on 429/503 until its first text arrives, never after.

    ``open_stream`` returns an async iterator of text deltas and raises
    :class:`EngineResponseError` with ``status`` for HTTP errors.
    """
    async for attempt in _retrying(attempts=attempts, base_delay=base_delay, engine=engine):
        with attempt:
            iterator = await open_stream()
            first = await anext(iterator, None)
    if first is None:
        return
    yield first
    async for delta in iterator:  # after the first token: no retry, errors go to the caller
        yield delta


def parse_json_object(text: str, *, engine: str) -> dict[str, Any]:
    cleaned = text.strip()
    if cleaned.startswith("```"):
        cleaned = cleaned.strip("`")
        cleaned = cleaned.split("\n", 1)[1] if "\n" in cleaned else cleaned
    try:
        value = json.loads(cleaned)
    except json.JSONDecodeError as exc:
        raise EngineResponseError(f"{engine} did not return valid JSON ({exc.msg})") from None
    except (ValueError, RecursionError):
        # Valid JSON that Python will not read: an integer of over 4300 digits, or nested too deeply.
        raise EngineResponseError(f"{engine} returned JSON too large to read") from None
    if not isinstance(value, dict):
        raise EngineResponseError(f"{engine} returned JSON that is not an object")
    return value
