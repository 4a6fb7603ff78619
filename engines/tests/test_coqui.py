"""Coqui TTS: optional. Tested when importable (requirements-coqui.txt), skipped with the reason otherwise."""

from __future__ import annotations

import os

import pytest

from engines.errors import EngineConfigurationError, ModelNotFoundError
from engines.executor import EngineExecutor
from engines.tts_coqui import CoquiTTS, coqui_importable

IMPORTABLE, WHY_NOT = coqui_importable()


def test_without_a_model_the_engine_is_unavailable_with_the_reason() -> None:
    engine = CoquiTTS(executor=EngineExecutor(workers=1, timeout=5), model="")
    assert engine.state == "unavailable" and "COQUI_MODEL" in engine.reason
    with pytest.raises(EngineConfigurationError, match="COQUI_MODEL"):
        engine.load()


@pytest.mark.skipif(IMPORTABLE, reason="coqui-tts is importable: the unavailable path does not apply")
def test_when_coqui_is_not_importable_loading_says_why() -> None:
    engine = CoquiTTS(executor=EngineExecutor(workers=1, timeout=5), model="tts_models/en/ljspeech/vits")
    with pytest.raises(Exception, match="coqui-tts is not importable"):
        engine.load()
    assert engine.state == "unavailable"


@pytest.mark.skipif(not IMPORTABLE, reason=WHY_NOT or "coqui-tts is not importable")
def test_a_local_checkpoint_that_does_not_exist_is_a_clear_error(tmp_path) -> None:
    engine = CoquiTTS(executor=EngineExecutor(workers=1, timeout=5), model=str(tmp_path / "model.pth"))
    with pytest.raises(ModelNotFoundError, match="does not exist"):
        engine.load()


@pytest.mark.skipif(not IMPORTABLE, reason=WHY_NOT or "coqui-tts is not importable")
@pytest.mark.skipif(not os.environ.get("COQUI_TEST_MODEL"), reason="COQUI_TEST_MODEL (a local .pth) is not set")
@pytest.mark.asyncio
async def test_a_local_checkpoint_speaks() -> None:
    engine = CoquiTTS(executor=EngineExecutor(workers=1, timeout=300), model=os.environ["COQUI_TEST_MODEL"])
    audio = await engine.synthesize("Hello there.", language="en")
    assert audio.sample_rate > 0 and audio.seconds > 0.3
