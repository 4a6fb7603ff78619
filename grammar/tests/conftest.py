import pytest

# The voice loop's fixtures (real engines, Piper speech, sockets through the ASGI app, the shared
# Celery worker), for the grammar tests that go through a socket or a worker process.
from conversations.tests.conftest import baker, connect, engines, grammar_worker, speech  # noqa: F401


@pytest.fixture(scope="session")
def engines_for_grammar():
    """The process's real grammar engines (Harper for English), loaded once."""
    from virtulingo.engines.registry import get_registry

    registry = get_registry()
    registry.warmup_sync(roles=("grammar",))
    return registry
