import pytest


@pytest.fixture(scope="session")
def engines_for_grammar():
    """The process's real grammar engines (Harper for English), loaded once."""
    from engines.registry import get_registry

    registry = get_registry()
    registry.warmup_sync(roles=("grammar",))
    return registry
