"""What the server process does when it starts and when it stops.

Daphne (``daphne virtulingo.asgi:application``, and ``manage.py runserver``, which runs
Daphne's Server) speaks no ASGI lifespan. On SIGTERM (or Ctrl-C) Twisted stops its reactor,
and Daphne's shutdown trigger cancels every application instance at once: a socket's consumer
never gets ``websocket.disconnect``, so a running turn, the learner's last words and the
conversation's end were lost. Its Server is wrapped here, once per process (like the access
log's redaction), so that:

- at start, without a broker, the grammar checks a stopped or crashed server left pending are
  run on this process's grammar thread, then every VIRTULINGO_GRAMMAR_REQUEUE_AFTER seconds;
- at SIGTERM, before Daphne cancels anything, each socket is told (`server_shutdown`), its
  turns finish and its words are stored, it is closed with 4503, requests in flight get to
  finish, and the checks still queued in memory are left pending for the next start; all
  within VIRTULINGO_SHUTDOWN_GRACE_SECONDS.
"""

import asyncio
import contextvars
import logging
import time
from typing import Any

from django.conf import settings

from conversations.consumers import sockets_shut_down
from grammar import services as grammar_services
from grammar.services import grammar_checks_in_process_runner, grammar_checks_in_process_stop

logger = logging.getLogger(__name__)

_WRAPPED = "_virtulingo_lifecycle"
_runner: asyncio.Task | None = None


def server_started() -> None:
    """On the server's running event loop, once: without a broker, the sweep of leftover checks."""
    global _runner
    if settings.CELERY_ENABLED or _runner is not None:
        return
    _runner = asyncio.get_running_loop().create_task(
        grammar_checks_in_process_runner(every_seconds=settings.VIRTULINGO_GRAMMAR_REQUEUE_AFTER_SECONDS),
        context=contextvars.Context(),
    )


async def server_stopping(*, grace_seconds: float) -> None:
    """Close every socket cleanly within the grace period, then drop the checks queued in memory
    (they stay pending: the next start runs them)."""
    global _runner
    started = time.monotonic()
    if _runner is not None:
        _runner.cancel()
        _runner = None
    closed = await sockets_shut_down(grace_seconds=grace_seconds)
    dropped = grammar_checks_in_process_stop()
    logger.info("Shutting down: %d socket(s) closed, %d queued grammar check(s) left pending", closed, dropped)
    # The check running on the grammar thread finishes now, while the process can still run it.
    running = [check for check in grammar_services._background_checks if not check.done()]
    if running:
        await asyncio.wait(running, timeout=max(grace_seconds - (time.monotonic() - started), 0.1))


def daphne_lifecycle_install() -> None:
    """Wrap Daphne's Server (when it is importable) so that it calls server_started() once its
    reactor runs and server_stopping() before it cancels the application instances."""
    try:
        from daphne.server import Server
    except ImportError:  # not served by Daphne
        return
    if getattr(Server.run, _WRAPPED, False):
        return
    original_run, original_kill = Server.run, Server.kill_all_applications

    def run(self: Server) -> None:
        from twisted.internet import reactor

        # Once the event loop runs (a startup trigger would fire before it does).
        reactor.callLater(0, _on_loop, server_started)
        original_run(self)

    def kill_all_applications(self: Server) -> Any:
        from twisted.internet import defer

        grace = settings.SHUTDOWN_GRACE_SECONDS
        # A context of its own: this trigger runs in whatever context the signal interrupted
        # (a socket's database call in flight, which asgiref would take for a deadlock).
        graceful = asyncio.get_event_loop().create_task(
            _stop_gracefully(self, grace_seconds=grace), context=contextvars.Context()
        )
        stopping = defer.Deferred.fromFuture(graceful)
        # Daphne's own trigger then cancels whatever is left; Twisted waits for both.
        stopping.addBoth(lambda _: original_kill(self))
        return stopping

    setattr(run, _WRAPPED, True)
    Server.run = run  # type: ignore[method-assign]
    Server.kill_all_applications = kill_all_applications  # type: ignore[method-assign]


def _on_loop(function: Any) -> None:
    try:
        function()
    except Exception:
        logger.exception("Server start hook %s failed", getattr(function, "__name__", function))


async def _stop_gracefully(server: Any, *, grace_seconds: float) -> None:
    deadline = time.monotonic() + grace_seconds
    try:
        await asyncio.wait_for(server_stopping(grace_seconds=grace_seconds), grace_seconds + 5)
    except Exception:
        logger.exception("Graceful shutdown failed; Daphne cancels what is left")
    # Requests in flight, and the sockets' close handshakes, until the grace period is over.
    while time.monotonic() < deadline:
        running = [
            details["application_instance"]
            for details in list(server.connections.values())
            if details.get("application_instance") is not None and not details["application_instance"].done()
        ]
        if not running:
            return
        await asyncio.wait(running, timeout=max(deadline - time.monotonic(), 0.01))
