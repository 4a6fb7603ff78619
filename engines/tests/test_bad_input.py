"""Bad input and bad configuration give specific errors, before any model work."""

from __future__ import annotations

import pytest

from engines.errors import (
    BadAudioError,
    EmptyAudioError,
    EmptyTextError,
    ModelNotFoundError,
    TextTooLongError,
    UnsupportedLanguageError,
)
from engines.executor import EngineExecutor
from engines.llm_local import LocalLLM
from engines.stt_whisper import WhisperSTT
from engines.tts_piper import PiperTTS

pytestmark = pytest.mark.asyncio


async def test_empty_audio(whisper) -> None:
    with pytest.raises(EmptyAudioError, match="empty"):
        await whisper.transcribe(b"", language="en")


async def test_odd_length_pcm16(whisper) -> None:
    with pytest.raises(BadAudioError, match="even byte count"):
        await whisper.transcribe(b"\x00\x01\x02", language="en")


async def test_sample_rate_out_of_range(whisper) -> None:
    with pytest.raises(BadAudioError, match="sample rate"):
        await whisper.transcribe(bytes(3200), sample_rate=4000, language="en")


async def test_audio_that_is_not_bytes(whisper) -> None:
    with pytest.raises(BadAudioError, match="PCM16 bytes"):
        await whisper.transcribe([0, 1, 2], language="en")  # type: ignore[arg-type]


async def test_text_too_long_for_tts(piper) -> None:
    with pytest.raises(TextTooLongError, match="1000-character limit"):
        await piper.synthesize("Bonjour. " * 200, language="en")


async def test_empty_text_for_tts(piper, espeak) -> None:
    with pytest.raises(EmptyTextError):
        await piper.synthesize("   ", language="en")
    with pytest.raises(EmptyTextError):
        await espeak.synthesize("", language="fr")


async def test_piper_refuses_a_language_its_voice_does_not_speak(piper) -> None:
    with pytest.raises(UnsupportedLanguageError, match="does not speak 'fr'"):
        await piper.synthesize("Bonjour.", language="fr")


async def test_espeak_refuses_an_unknown_voice(espeak) -> None:
    with pytest.raises(UnsupportedLanguageError, match="no voice 'xx-nope'"):
        await espeak.synthesize("Hello.", language="en", voice="xx-nope")


async def test_stt_model_path_that_does_not_exist(tmp_path) -> None:
    engine = WhisperSTT(
        executor=EngineExecutor(workers=1, timeout=30), model=str(tmp_path / "nope" / "whisper"), cache_dir=tmp_path
    )
    with pytest.raises(ModelNotFoundError, match="does not exist"):
        await engine.transcribe(bytes(3200), language="en")
    assert engine.state == "failed" and "does not exist" in engine.reason


async def test_stt_model_folder_without_a_model(tmp_path) -> None:
    engine = WhisperSTT(executor=EngineExecutor(workers=1, timeout=30), model=str(tmp_path), cache_dir=tmp_path)
    with pytest.raises(ModelNotFoundError, match="no model.bin"):
        await engine.warmup()


async def test_llm_model_path_that_does_not_exist(tmp_path) -> None:
    engine = LocalLLM(executor=EngineExecutor(workers=1, timeout=30), model_path=str(tmp_path / "missing.gguf"))
    with pytest.raises(ModelNotFoundError, match="does not exist"):
        [d async for d in engine.stream([])]


async def test_llm_file_that_is_not_a_gguf(tmp_path) -> None:
    bogus = tmp_path / "bogus.gguf"
    bogus.write_bytes(b"not a model" * 100)
    engine = LocalLLM(executor=EngineExecutor(workers=1, timeout=30), model_path=str(bogus))
    with pytest.raises(ModelNotFoundError, match="not a loadable GGUF"):
        await engine.warmup()


async def test_piper_voice_path_that_does_not_exist(tmp_path) -> None:
    engine = PiperTTS(executor=EngineExecutor(workers=1, timeout=30), default_voice=str(tmp_path / "fr.onnx"))
    with pytest.raises(ModelNotFoundError, match="nor an existing .onnx file"):
        await engine.synthesize("Bonjour.", language="fr")
