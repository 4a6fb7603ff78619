"""Project-wide test fixtures, built from the factories in each app's tests/factories.py."""

import os
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings

from npcs.tests.factories import NPCFactory, SceneFactory
from players.tests.factories import PlayerFactory

# Three consecutive Redis database indexes from VIRTULINGO_TEST_REDIS_DB_BASE (default 13): the
# broker (its own index, so emptying the tests' data never drops Celery's queue bindings), the
# world-state store tests, and everything else. A second base lets two test runs share a server.
TEST_BROKER_REDIS_DB = int(os.environ.get("VIRTULINGO_TEST_REDIS_DB_BASE", "13"))
TEST_WORLD_STATE_REDIS_DB = TEST_BROKER_REDIS_DB + 1
TEST_REDIS_DB = TEST_BROKER_REDIS_DB + 2


def _redis_url_for_tests(url: str, *, db: int = TEST_REDIS_DB) -> str:
    """The same Redis server, but the tests' own database index, never the developer's data."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{db}"))


# Tests load the engines they use through session fixtures, not at ASGI import.
settings.VIRTULINGO_WARM_UP_ENGINES = False

# Applied before anything creates a channel layer, a world-state store or a Celery connection.
if settings.REDIS_URL:
    settings.REDIS_URL = _redis_url_for_tests(settings.REDIS_URL)
    settings.CHANNEL_LAYERS["default"]["CONFIG"]["hosts"][0]["address"] = settings.REDIS_URL
if settings.CELERY_BROKER_URL.startswith("redis"):
    settings.CELERY_BROKER_URL = _redis_url_for_tests(settings.CELERY_BROKER_URL, db=TEST_BROKER_REDIS_DB)


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
