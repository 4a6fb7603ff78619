"""The Redis database indexes the tests use, never the developer's data.

Three consecutive indexes from VIRTULINGO_TEST_REDIS_DB_BASE (default 13): the broker (its
own index, so emptying the tests' data never drops Celery's queue bindings), the world-state
store tests, and everything else. A second base lets two test runs share a server.
"""

import os

# Parallel runs (pytest-xdist: gw0, gw1, ...) take three indexes each, going down from the base.
_WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
TEST_BROKER_REDIS_DB = int(os.environ.get("VIRTULINGO_TEST_REDIS_DB_BASE", "13")) - 3 * _WORKER
if TEST_BROKER_REDIS_DB < 1:
    raise RuntimeError("Too many parallel test workers for Redis's 16 databases (index 0 is the developer's).")
TEST_WORLD_STATE_REDIS_DB = TEST_BROKER_REDIS_DB + 1
TEST_REDIS_DB = TEST_BROKER_REDIS_DB + 2
