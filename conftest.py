"""Project-wide test fixtures, built from the factories in each app's tests/factories.py."""

import atexit
import os
import shutil
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import ctranslate2
import pytest
from django.conf import settings
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from npcs.tests.factories import NPCFactory, SceneFactory
from players.tests.factories import PlayerFactory
from virtulingo.tests.redis_databases import TEST_BROKER_REDIS_DB, TEST_REDIS_DB

# The voice loop's fixtures (real engines, Piper speech, sockets through the ASGI app, the
# shared Celery worker), used by the conversation and the grammar tests alike.
pytest_plugins = ["conversations.tests.fixtures"]


def _redis_url_for_tests(url: str, *, db: int = TEST_REDIS_DB) -> str:
    """The same Redis server, but the tests' own database index, never the developer's data."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{db}"))


# The property tests (Hypothesis) run on two shared cores, in CI beside other work: generating
# their data may stall there, which is not what they test.
hypothesis_settings.register_profile("virtulingo", deadline=None, suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.load_profile("virtulingo")

# Tests load the engines they use through session fixtures, not at ASGI import.
settings.VIRTULINGO_WARM_UP_ENGINES = False
# Tests do not time the engines: a cold prompt of the embedded model on a slow 2-core CPU (or
# on cores shared with other work) can take longer than the product's bound of 30 s. The
# tests of that bound set their own (conversations/tests/test_engine_faults.py).
settings.VIRTULINGO_ENGINE_TIMEOUT_SECONDS = 120
# The same for the servers and workers the tests start as processes (they read the variable).
os.environ.setdefault("VIRTULINGO_ENGINE_TIMEOUT", "120")

# Whisper decodes a window it judges a loop or improbable again at a higher temperature, by
# sampling (DECODING_GUARDS in engines/stt_whisper.py). CTranslate2 seeds its generator from the
# system each run, so a robotic test clip could be heard right in one run and wrong in the next.
# A fixed seed makes the transcripts repeat from run to run (for the same tests in the same
# order: the generator runs on); the product keeps its own seeding.
ctranslate2.set_random_seed(1)

# On SQLite, a test database file of this process's own, not Django's shared in-memory
# database: its table locks fail at once where a file's wait (the server's busy timeout), so
# the tests see the locking the server has. Its own folder, so that two test runs at once
# never share a database; removed when the run ends.
if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    _sqlite_folder = tempfile.mkdtemp(prefix="virtulingo-tests-")
    atexit.register(shutil.rmtree, _sqlite_folder, ignore_errors=True)
    settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = str(Path(_sqlite_folder) / "test.sqlite3")

# Applied before anything creates a channel layer, a world-state store or a Celery connection.
if settings.REDIS_URL:
    settings.REDIS_URL = _redis_url_for_tests(settings.REDIS_URL)
    settings.CHANNEL_LAYERS["default"]["CONFIG"]["hosts"][0]["address"] = settings.REDIS_URL
if settings.CELERY_BROKER_URL.startswith("redis"):
    settings.CELERY_BROKER_URL = _redis_url_for_tests(settings.CELERY_BROKER_URL, db=TEST_BROKER_REDIS_DB)


# Fixtures that load real model weights or start processes that do. A test that uses one is
# marked `models`, so `pytest -m "not models"` is a quick run; the full suite runs them all.
MODEL_FIXTURES = {
    "engines",
    "engines_for_grammar",
    "speech",
    "whisper",
    "whisper_beam5",
    "local_llm",
    "piper",
    "espeak",
    "harper_checker",
    "process_registry",
    "grammar_worker",
}


def pytest_collection_modifyitems(items):
    for item in items:
        if MODEL_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.models)


@pytest.fixture
def scene(db):
    return SceneFactory()


@pytest.fixture
def npc(db, scene):
    return NPCFactory(scene=scene)


@pytest.fixture
def player(db):
    return PlayerFactory()


@pytest.fixture
def staff_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def redis_test_db():
    """Empties the tests' Redis database after a test that writes to it (when Redis is configured)."""
    yield
    if settings.REDIS_URL:
        import redis

        with redis.Redis.from_url(settings.REDIS_URL) as client:
            client.flushdb()


@pytest.fixture(scope="session", autouse=True)
def _empty_test_broker_at_the_end():
    """Tasks left by tests that ran without a worker must not outlive the run."""
    yield
    if settings.CELERY_BROKER_URL.startswith("redis"):
        import redis

        with redis.Redis.from_url(settings.CELERY_BROKER_URL) as client:
            client.flushdb()
