"""A looping transcript is cut at the bound and the rest of it is never decoded."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from engines.executor import EngineExecutor
from engines.stt_whisper import MAX_WORDS_PER_SECOND, WhisperSTT, token_budget, word_budget

SECOND = 16000 * 2  # bytes of 16 kHz PCM16


class LoopingModel:
    """Stands in for faster_whisper.WhisperModel: its transcribe returns a segment generator
    that never ends (Whisper repeating itself), and records how far it was consumed."""

    def __init__(self, text: str = "thank you so much for watching") -> None:
        self.text = text
        self.consumed = 0
        self.options: dict[str, Any] = {}

    def transcribe(self, samples: Any, **options: Any) -> tuple[Iterator[Any], Any]:
        self.options = options

        def segments() -> Iterator[Any]:
            for _ in range(1000):  # "never ends": far more than any bound, so a missing cut fails, not hangs
                self.consumed += 1
                yield SimpleNamespace(text=f" {self.text}", words=None)

        return segments(), SimpleNamespace(language=options.get("language"))


class FiniteModel(LoopingModel):
    def transcribe(self, samples: Any, **options: Any) -> tuple[Iterator[Any], Any]:
        self.options = options
        return iter([SimpleNamespace(text=" Hello there.", words=None)]), None


def engine_with(model: Any, tmp_path: Path) -> WhisperSTT:
    engine = WhisperSTT(executor=EngineExecutor(workers=1, timeout=30), cache_dir=tmp_path)
    # The faster-whisper boundary: loading yields the stand-in instead of a WhisperModel.
    engine._load = lambda: setattr(engine, "_model", model)  # type: ignore[method-assign]
    return engine


def test_a_looping_transcript_is_cut_at_the_bound_and_not_consumed_further(tmp_path: Path) -> None:
    model = LoopingModel()
    engine = engine_with(model, tmp_path)
    transcript = engine.transcribe_sync(bytes(3 * SECOND), sample_rate=16000, language="en")
    budget = word_budget(3.0)
    assert len(transcript.text.split()) == budget
    assert budget <= max(8, 3 * MAX_WORDS_PER_SECOND + 1)
    # Six words a segment: the generator was read only as far as the bound needed.
    assert model.consumed == -(-budget // 6)


def test_the_bound_grows_with_the_audio(tmp_path: Path) -> None:
    short, long = LoopingModel(), LoopingModel()
    assert len(engine_with(short, tmp_path).transcribe_sync(bytes(2 * SECOND), language="de").text.split()) < len(
        engine_with(long, tmp_path).transcribe_sync(bytes(10 * SECOND), language="de").text.split()
    )


def test_whisper_is_asked_for_its_hallucination_guards_and_a_token_bound(tmp_path: Path) -> None:
    model = FiniteModel()
    transcript = engine_with(model, tmp_path).transcribe_sync(bytes(4 * SECOND), language="fr")
    assert transcript.text == "Hello there."
    options = model.options
    assert options["condition_on_previous_text"] is False
    assert options["compression_ratio_threshold"] == pytest.approx(2.4)
    assert options["no_speech_threshold"] == pytest.approx(0.6)
    assert options["max_new_tokens"] == token_budget(4.0) < 448
    assert options["language"] == "fr"
