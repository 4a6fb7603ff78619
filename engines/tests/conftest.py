"""Session-scoped real embedded engines: each model loads once for the whole run."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from engines.config import EngineConfig
from engines.executor import EngineExecutor

from .fake_server import FakeServer


@pytest.fixture(scope="session")
def engine_config() -> EngineConfig:
    # The model cache from settings: the assembled Whisper model is reused across runs.
    return EngineConfig.from_settings()


@pytest.fixture(scope="session")
def executor() -> Iterator[EngineExecutor]:
    pool = EngineExecutor(workers=2, timeout=120)
    yield pool
    pool.shutdown()


@pytest.fixture(scope="session")
def whisper(executor: EngineExecutor, engine_config: EngineConfig):
    from engines.stt_whisper import WhisperSTT

    engine = WhisperSTT(executor=executor, cache_dir=engine_config.model_cache, cpu_threads=2)
    engine.load()
    return engine


@pytest.fixture(scope="session")
def whisper_beam5(executor: EngineExecutor, engine_config: EngineConfig):
    """Whisper base with beam 5, for espeak-ng's robotic voices."""
    from engines.stt_whisper import WhisperSTT

    engine = WhisperSTT(executor=executor, cache_dir=engine_config.model_cache, cpu_threads=2, beam_size=5)
    engine.load()
    return engine


@pytest.fixture(scope="session")
def local_llm(executor: EngineExecutor):
    from engines.llm_local import LocalLLM

    engine = LocalLLM(executor=executor, n_threads=2, timeout=120)
    engine.load()
    return engine


@pytest.fixture(scope="session")
def piper(executor: EngineExecutor):
    from engines.tts_piper import PiperTTS

    engine = PiperTTS(executor=executor, threads=2)
    engine.load()
    return engine


@pytest.fixture(scope="session")
def espeak(executor: EngineExecutor):
    from engines.tts_espeak import EspeakTTS

    engine = EspeakTTS(executor=executor, rate=150)
    engine.load()
    return engine


@pytest.fixture(scope="session")
def harper_checker(executor: EngineExecutor):
    from engines.grammar_harper import HarperGrammar

    engine = HarperGrammar(executor=executor)
    engine.load()
    return engine


@pytest.fixture(scope="session")
def grammalecte_checker(executor: EngineExecutor, engine_config: EngineConfig):
    """Grammalecte (pure Python, ~0.1 s to load); the tests that use it are skipped, with the
    command that installs it, where the Debian package is absent (CI installs it)."""
    from engines.grammar_grammalecte import INSTALL_HINT, GrammalecteGrammar

    engine = GrammalecteGrammar(executor=executor, path=engine_config.grammalecte_path)
    if engine.state == "unavailable":
        pytest.skip(f"Grammalecte is not installed here: {INSTALL_HINT}")
    engine.load()
    return engine


@pytest.fixture
def fake_server() -> Iterator[FakeServer]:
    with FakeServer() as server:
        yield server


@pytest.fixture
def process_registry(monkeypatch, whisper, local_llm, piper, espeak, harper_checker):
    """This process's registry (what commands and the product use) with the session's warm engines in it."""
    import os

    from engines import registry as registry_module
    from engines.registry import EngineRegistry

    reg = EngineRegistry(EngineConfig.from_settings())
    reg._engines.update(
        {
            "stt": whisper,
            "llm:local": local_llm,
            "tts:piper": piper,
            "tts:espeak": espeak,
            "grammar:harper": harper_checker,
        }
    )
    monkeypatch.setattr(registry_module, "_registry", reg)
    monkeypatch.setattr(registry_module, "_registry_pid", os.getpid())
    return reg


@pytest.fixture
def process_registry_set_aside():
    """For a test that rebuilds the process's registry: the warmed one other tests hold (and
    have patched) is put back afterwards, not shut down."""
    from engines import registry as module

    saved = (module._registry, module._registry_pid)
    module._registry = None
    yield
    if module._registry is not None:
        module._registry.shutdown()
    module._registry, module._registry_pid = saved
