"""What every engine shares: a state for /health, a reason when it failed, and
a lazy, thread-safe, load-once ``load()`` that runs in the engines' executor."""

from __future__ import annotations

import logging
import threading
import time

from .errors import EngineError, EngineUnavailableError
from .executor import EngineExecutor
from .interfaces import EngineState

logger = logging.getLogger("engines")


class BaseEngine:
    name = "engine"
    role = "engine"

    def __init__(self, *, executor: EngineExecutor) -> None:
        self.executor = executor
        self._state: EngineState = "not_loaded"
        self._reason = ""
        self._load_lock = threading.Lock()
        self.load_seconds: float | None = None

    @property
    def state(self) -> EngineState:
        return self._state

    @property
    def reason(self) -> str:
        return self._reason

    def describe(self) -> dict[str, object]:
        """Settings worth showing in /health (never secrets)."""
        return {}

    # Subclasses implement _load() (blocking: read weights, build sessions) and
    # optionally _warmup() (one tiny inference, blocking).
    def _load(self) -> None:
        return None

    def _warmup(self) -> None:
        return None

    def load(self) -> None:
        """Blocking, idempotent; safe from several threads. Raises the load error each time."""
        if self._state == "ready":
            return
        with self._load_lock:
            if self._state == "ready":
                return
            self._state = "loading"
            started = time.perf_counter()
            # Said before the native call, so that a crash in it is pinned on this engine in the log.
            logger.info("%s engine %s: loading", self.role, self.name)
            try:
                self._load()
            except EngineUnavailableError as exc:
                self._state, self._reason = "unavailable", str(exc)
                raise
            except EngineError as exc:
                self._state, self._reason = "failed", str(exc)
                raise
            except Exception as exc:
                self._state, self._reason = "failed", f"{type(exc).__name__}: {exc}"
                raise EngineError(f"{self.name} failed to load: {exc}") from exc
            self.load_seconds = time.perf_counter() - started
            self._state, self._reason = "ready", ""
            logger.info("%s engine %s loaded in %.2f s", self.role, self.name, self.load_seconds)

    async def ensure_loaded(self) -> None:
        if self._state != "ready":
            await self.executor.run(self.load, timeout=max(self.executor.timeout, 300), what=f"loading {self.name}")

    async def warmup(self) -> None:
        await self.ensure_loaded()
        logger.info("%s engine %s: warming up", self.role, self.name)
        await self.executor.run(self._warmup, timeout=max(self.executor.timeout, 120), what=f"warming up {self.name}")
