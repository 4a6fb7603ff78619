"""Real Celery worker processes for tests, on the test database and the tests' Redis databases.

Each worker runs in its own process group (session), so a test can SIGKILL it together
with its pool process, as when a machine or container dies in the middle of a task.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

from virtulingo.celery import app as celery_app

# Generous: Django, Celery and the grammar engine load on a busy 2-core machine.
START_TIMEOUT_SECONDS = 180
STOP_TIMEOUT_SECONDS = 60


def celery_worker_unusable_reason() -> str | None:
    """Why no worker process can check these tests' turns, or None when one can."""
    if not settings.CELERY_ENABLED:
        return "no Celery broker is configured (REDIS_URL / CELERY_BROKER_URL): grammar checks run in-process"
    if connection.vendor != "postgresql":
        return "a worker process needs a test database it can share with the tests: PostgreSQL (DATABASE_URL)"
    return None


def shared_test_database_url() -> str:
    """The test database (not the developer's), as DATABASE_URL for a worker or server process."""
    database = connection.settings_dict
    credentials = quote(database["USER"] or "", safe="")
    if database["PASSWORD"]:
        credentials += ":" + quote(database["PASSWORD"], safe="")
    host = f"{database['HOST'] or 'localhost'}:{database['PORT'] or 5432}"
    return f"postgres://{credentials + '@' if credentials else ''}{host}/{database['NAME']}"


@dataclass
class WorkerProcess:
    process: subprocess.Popen
    node: str

    def ping(self) -> bool:
        return bool(celery_app.control.ping(destination=[self.node], timeout=0.5))

    def wait_until_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not self.ping():
            assert self.process.poll() is None, f"the Celery worker {self.node} exited during start-up"
            assert time.monotonic() < deadline, f"the Celery worker {self.node} did not answer in time"

    def kill(self) -> None:
        """SIGKILL the worker and its pool process at once: nothing gets to acknowledge or clean up."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=STOP_TIMEOUT_SECONDS)

    def stop(self) -> None:
        """Warm shutdown (the running task finishes); SIGKILL whatever is left after the timeout."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass  # the whole group is gone
        self.process.wait(timeout=STOP_TIMEOUT_SECONDS)


def celery_worker_start(
    *,
    name: str,
    app: str = "virtulingo",
    queues: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    log: Path | None = None,
) -> WorkerProcess:
    """A worker process (one pool process) on the test database; returns once it answers a ping.
    Its output goes to ``log`` when given (bench/load.py keeps stdout for its summary)."""
    reason = celery_worker_unusable_reason()
    assert reason is None, reason
    node = f"{name}@{socket.gethostname()}"
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        app,
        "worker",
        f"--hostname={node}",
        "--concurrency=1",
        "--loglevel=WARNING",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    if queues:
        command.append(f"--queues={','.join(queues)}")
    environment = {
        **os.environ,
        "DATABASE_URL": shared_test_database_url(),
        # Already the tests' own Redis database indexes (see the root conftest.py).
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        **(env or {}),
    }
    worker = WorkerProcess(
        process=subprocess.Popen(
            command,
            cwd=settings.BASE_DIR,
            env=environment,
            start_new_session=True,
            stdout=log.open("ab") if log is not None else None,
            stderr=subprocess.STDOUT if log is not None else None,
        ),
        node=node,
    )
    try:
        worker.wait_until_ready()
    except BaseException:
        worker.stop()
        raise
    return worker


class _Shared:
    worker: WorkerProcess | None = None
    users = 0


@contextmanager
def grammar_worker_shared() -> Iterator[WorkerProcess]:
    """The one worker of the default queue in this test run, however many fixtures ask for it
    (a second worker on the same queue would take tasks meant for the first)."""
    if _Shared.worker is None:
        _Shared.worker = celery_worker_start(name="grammar-tests")
    worker = _Shared.worker
    _Shared.users += 1
    try:
        yield worker
    finally:
        _Shared.users -= 1
        if _Shared.users == 0:
            _Shared.worker = None
            worker.stop()
