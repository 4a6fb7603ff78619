"""A native engine that faults on this CPU fails alone, with its name and what to do,
and the process that asked for it runs on (issue 9: llama.cpp's AMX crash)."""

from __future__ import annotations

import threading

import pytest

from engines import native_trial
from engines.errors import EngineError
from engines.executor import EngineExecutor

from .native_crash import CountingEngine, LocalLLMThatCrashes


def trial(tmp_path, *, crash: bool, log) -> None:  # type: ignore[no-untyped-def]
    native_trial.run_trial(
        CountingEngine,
        {"log": str(log), "crash": crash},
        files=[],
        cache_dir=tmp_path / "cache",
        engine_name="counting",
        advice="Do this instead.",
    )


def test_a_crash_in_the_trial_is_reported_with_the_engine_the_signal_and_the_advice(tmp_path) -> None:
    log = tmp_path / "runs.log"
    with pytest.raises(EngineError) as failure:
        trial(tmp_path, crash=True, log=log)
    message = str(failure.value)
    assert "counting crashed (SIGSEGV)" in message
    assert native_trial.cpu_model() in message
    assert message.endswith("Do this instead.")
    assert log.read_text() == "loaded\n"  # it really ran, in the child
    assert not list((tmp_path / "cache").glob("native-trials/*.passed"))


def test_a_passed_trial_is_remembered_and_not_run_again(tmp_path) -> None:
    log = tmp_path / "runs.log"
    trial(tmp_path, crash=False, log=log)
    trial(tmp_path, crash=False, log=log)
    assert log.read_text() == "loaded\n"
    assert len(list((tmp_path / "cache").glob("native-trials/*.passed"))) == 1


def test_a_trial_passed_with_other_settings_does_not_count(tmp_path) -> None:
    log = tmp_path / "runs.log"
    trial(tmp_path, crash=False, log=log)
    with pytest.raises(EngineError, match="SIGSEGV"):
        trial(tmp_path, crash=True, log=log)
    assert log.read_text() == "loaded\nloaded\n"


def test_the_key_changes_with_a_library_file(tmp_path) -> None:
    library = tmp_path / "libggml-cpu.so"
    library.write_bytes(b"build one")
    first = native_trial.trial_key(CountingEngine, {}, [library])
    library.write_bytes(b"build two, another size")
    assert native_trial.trial_key(CountingEngine, {}, [library]) != first


@pytest.mark.models
def test_the_embedded_model_passes_its_trial_on_this_cpu_then_runs_in_process(tmp_path) -> None:
    from engines.interfaces import ChatMessage
    from engines.llm_local import LocalLLM

    executor = EngineExecutor(workers=1, timeout=120)
    try:
        engine = LocalLLM(executor=executor, n_threads=2, timeout=120, trial_dir=tmp_path)
        engine.load()
        assert engine.state == "ready"
        assert len(list(tmp_path.glob("native-trials/*.passed"))) == 1
        reply = engine._generate([ChatMessage("user", "Say hello.")], threading.Event(), temperature=0.0, max_tokens=8)
        text = "".join(reply)
        assert text.strip()
    finally:
        executor.shutdown()


@pytest.mark.models
def test_a_language_model_that_crashes_fails_alone_with_what_to_do(tmp_path) -> None:
    executor = EngineExecutor(workers=1, timeout=120)
    try:
        engine = LocalLLMThatCrashes(executor=executor, n_threads=2, timeout=120, trial_dir=tmp_path)
        with pytest.raises(EngineError):
            engine.load()
        assert engine.state == "failed"
        assert "llama.cpp crashed (SIGSEGV)" in engine.reason
        assert "make rebuild-llama" in engine.reason
        assert engine._llama is None  # never loaded into this process
    finally:
        executor.shutdown()
