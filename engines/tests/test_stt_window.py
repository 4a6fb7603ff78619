"""With the short window on, Whisper's encoder reads the utterance and a margin, not the fixed
30 s window, and still hears it; by default it reads the full window."""

from __future__ import annotations

import pytest
from faster_whisper import WhisperModel

from engines.stt_whisper import (
    FRAMES_PER_SECOND,
    FULL_WINDOW_FRAMES,
    SHORT_WINDOW_MARGIN_FRAMES,
    WhisperSTT,
    encoder_window_frames,
)

SENTENCE = "I would like some bread and a cup of coffee, please."


def test_the_window_is_the_audio_and_the_margin_in_whole_seconds_at_most_thirty() -> None:
    assert encoder_window_frames(301, 500) == 900
    assert encoder_window_frames(300, 500) == 800
    assert encoder_window_frames(0, 500) == 500
    assert encoder_window_frames(2600, 500) == FULL_WINDOW_FRAMES
    assert encoder_window_frames(FULL_WINDOW_FRAMES, 0) == FULL_WINDOW_FRAMES


@pytest.fixture
def encoded_frames(monkeypatch) -> list[int]:
    """The frames each encoder call received (faster-whisper's own encode, which the short
    window calls with what it kept)."""
    frames: list[int] = []
    original = WhisperModel.encode

    def recording(self, features):
        frames.append(features.shape[-1])
        return original(self, features)

    monkeypatch.setattr(WhisperModel, "encode", recording)
    return frames


@pytest.fixture(scope="module")
def short_whisper(executor, engine_config) -> WhisperSTT:
    engine = WhisperSTT(executor=executor, cache_dir=engine_config.model_cache, cpu_threads=2, short_window=True)
    engine.load()
    return engine


@pytest.mark.asyncio
async def test_a_short_utterance_is_encoded_in_a_short_window_and_heard(piper, short_whisper, encoded_frames) -> None:
    assert short_whisper.describe()["encoder_window"] == "audio + 5 s"
    audio = await piper.synthesize(SENTENCE, language="en")
    transcript = await short_whisper.transcribe(audio.pcm, sample_rate=audio.sample_rate, language="en")
    assert "coffee" in transcript.text.lower() and "bread" in transcript.text.lower(), transcript.text
    assert encoded_frames, "the encoder was not called"
    longest = encoder_window_frames(round(audio.seconds * FRAMES_PER_SECOND) + 1, SHORT_WINDOW_MARGIN_FRAMES)
    assert all(SHORT_WINDOW_MARGIN_FRAMES <= frames <= longest < FULL_WINDOW_FRAMES for frames in encoded_frames)


@pytest.mark.asyncio
async def test_by_default_the_encoder_reads_thirty_seconds(piper, whisper, encoded_frames) -> None:
    assert whisper.describe()["encoder_window"] == "30 s"
    audio = await piper.synthesize(SENTENCE, language="en")
    transcript = await whisper.transcribe(audio.pcm, sample_rate=audio.sample_rate, language="en")
    assert "coffee" in transcript.text.lower(), transcript.text
    assert encoded_frames and set(encoded_frames) == {FULL_WINDOW_FRAMES}


@pytest.mark.asyncio
async def test_word_timings_in_the_short_window_lie_within_the_audio(piper, short_whisper, encoded_frames) -> None:
    audio = await piper.synthesize("Good morning, how are you?", language="en")
    timed = await short_whisper.transcribe(
        audio.pcm, sample_rate=audio.sample_rate, language="en", word_timestamps=True
    )
    assert max(encoded_frames) < FULL_WINDOW_FRAMES
    assert [w.word.strip(",.?").lower() for w in timed.words][:2] == ["good", "morning"]
    assert all(0 <= w.start <= w.end <= audio.seconds + 0.1 for w in timed.words)
    assert timed.words[-1].end > audio.seconds / 2
