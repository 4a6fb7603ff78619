"""Test-only Celery entry point: the project's worker, with a grammar checker the test controls.

    celery -A grammar.tests.held_worker worker ...

The test and the worker share the folder named by VIRTULINGO_TEST_CHECKER_DIR:

- ``plan.json`` (written by the test): per utterance, which calls of the checker hold and
  which fail, counting from 1 across every worker process, e.g.
  ``{"She go to school.": {"hold": [1], "fail": [2, 3]}}``; ``"fail": "all"`` fails every call.
- ``calls.jsonl``: each call appends ``{"utterance", "call", "pid", "at"}`` the moment it starts
  (the check is under way: the test may now kill the worker).
- A held call waits until the file ``release`` exists. A failing call raises the error a
  network engine raises when its server does not answer.

Otherwise the process's real engine (Harper for English) checks the utterance. These workers
also sweep for unacknowledged messages every second (see below). Nothing here is used outside tests.
"""

import asyncio
import json
import os
import time
from pathlib import Path

from celery.signals import celeryd_init, worker_process_init

from engines.errors import EngineUnreachableError
from virtulingo.celery import app  # noqa: F401 (what `celery -A grammar.tests.held_worker` runs)

CHECKER_DIR_ENV = "VIRTULINGO_TEST_CHECKER_DIR"
HOLD_LIMIT_SECONDS = 600
# Set: the worker keeps the production settings' visibility timeout and restore sweep.
PRODUCTION_RESTORE_ENV = "VIRTULINGO_TEST_PRODUCTION_RESTORE"


@celeryd_init.connect
def _restore_unacknowledged_messages_every_second(conf, **kwargs) -> None:
    # A message left unacknowledged by a killed worker is restored once it is older than the
    # visibility timeout (VIRTULINGO_BROKER_VISIBILITY_TIMEOUT, short for the test's workers only),
    # by a sweep kombu runs every interval x throttle seconds (10 x 10 by default): every second here.
    if os.environ.get(PRODUCTION_RESTORE_ENV):  # the sweep of the production settings
        return
    conf.broker_transport_options = {
        **conf.broker_transport_options,
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
    }


class ControlledChecker:
    """Stands in for ``EngineRegistry.check_grammar`` in the worker's pool process."""

    def __init__(self, *, folder: Path, check) -> None:
        self.folder = folder
        self.check = check

    async def __call__(self, utterance: str, *, language: str, **options):
        call = self._record(utterance)
        plan = json.loads((self.folder / "plan.json").read_text()).get(utterance, {})
        if call in plan.get("hold", ()):
            await self._wait_for_release()
        failing = plan.get("fail", ())
        if failing == "all" or call in failing:
            raise EngineUnreachableError(f"the test's grammar server did not answer (call {call})")
        return await self.check(utterance, language=language, **options)

    def _record(self, utterance: str) -> int:
        log = self.folder / "calls.jsonl"
        earlier = log.read_text().splitlines() if log.exists() else []
        call = 1 + sum(1 for line in earlier if json.loads(line)["utterance"] == utterance)
        with log.open("a") as file:
            file.write(json.dumps({"utterance": utterance, "call": call, "pid": os.getpid(), "at": time.time()}) + "\n")
            file.flush()
            os.fsync(file.fileno())
        return call

    async def _wait_for_release(self) -> None:
        deadline = time.monotonic() + HOLD_LIMIT_SECONDS
        while not (self.folder / "release").exists():
            if time.monotonic() > deadline:
                raise TimeoutError("the test never released the held grammar check")
            await asyncio.sleep(0.05)


@worker_process_init.connect
def _install_controlled_checker(**kwargs) -> None:
    # In the pool process, after the project's own handler warmed the real engines up.
    from engines.registry import get_registry

    registry = get_registry()
    registry.check_grammar = ControlledChecker(folder=Path(os.environ[CHECKER_DIR_ENV]), check=registry.check_grammar)
