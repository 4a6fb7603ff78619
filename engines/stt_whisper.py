"""Speech-to-text with faster-whisper (CTranslate2).

Default: the embedded Whisper base, assembled from two PyPI packages into the
model cache on first load. Any faster-whisper model name (small, large-v3,
distil-large-v3, ...) or a local CTranslate2 folder works through ``model``.
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Iterable
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

logger = logging.getLogger("engines")


# The bound on a transcript's length: speech runs at about 2-3 words a second (fast speech
# under 4.5), so more than this is Whisper looping or inventing text. Short clips get a floor.
MAX_WORDS_PER_SECOND = 4.5
MIN_WORD_BUDGET = 8
# The same bound for the decoder itself, in tokens (French/German words take 2-3 tokens), so a
# loop inside one 30 s window ends in the decoder instead of running to Whisper's 448 tokens.
MAX_TOKENS_PER_SECOND = 12
MIN_TOKEN_BUDGET = 24
MAX_TOKEN_BUDGET = 220  # of the 448 a Whisper window holds (prompt included)

# Whisper's own guards against hallucination: a window whose text compresses too well (a
# loop) or whose tokens are improbable is decoded again at a higher temperature; a window
# judged silent is dropped; no window is conditioned on the previous one's (looping) text.
DECODING_GUARDS: dict[str, Any] = {
    "temperature": (0.0, 0.4, 0.8),
    "compression_ratio_threshold": 2.4,
    "log_prob_threshold": -1.0,
    "no_speech_threshold": 0.6,
    "condition_on_previous_text": False,
    "no_repeat_ngram_size": 0,  # measured: see docs/BENCHMARKS.md
    "repetition_penalty": 1.0,
}


def word_budget(audio_seconds: float) -> int:
    """The most words a transcript of this much audio may have."""
    return max(MIN_WORD_BUDGET, math.ceil(audio_seconds * MAX_WORDS_PER_SECOND))


def token_budget(audio_seconds: float) -> int:
    """The most tokens the decoder may produce for one window of this much audio."""
    return min(MAX_TOKEN_BUDGET, max(MIN_TOKEN_BUDGET, math.ceil(min(audio_seconds, 30.0) * MAX_TOKENS_PER_SECOND)))


def bounded_segments(segments: Iterable[Any], budget: int) -> tuple[list[str], list[Any], bool]:
    """The segments' texts and words up to ``budget`` words, and whether the transcript was cut.

    Stops consuming the (lazy) generator as soon as the budget is reached: the rest of a
    looping transcript is never decoded."""
    texts: list[str] = []
    words: list[Any] = []
    count = 0
    for segment in segments:
        segment_words = segment.text.split()
        room = budget - count
        if len(segment_words) > room:
            if room > 0:
                texts.append(" ".join(segment_words[:room]))
                words.extend(list(segment.words or ())[:room])
            return texts, words, True
        texts.append(segment.text.strip())
        words.extend(segment.words or ())
        count += len(segment_words)
        if count >= budget:
            return texts, words, True
    return texts, words, False


# Whisper's encoder reads a fixed 30 s window: faster-whisper pads every piece of audio with
# zero features up to 3000 frames (100 a second), and for a short utterance encoding that
# padding is most of the call. CTranslate2's encoder also takes fewer frames, so the short
# window encodes the audio, a margin of padding, rounded up to whole seconds (the measured
# speed and word error rates: docs/BENCHMARKS.md).
FULL_WINDOW_FRAMES = 3000
FRAMES_PER_SECOND = 100
SHORT_WINDOW_MARGIN_FRAMES = 5 * FRAMES_PER_SECOND


def encoder_window_frames(content_frames: int, margin_frames: int) -> int:
    """Frames the encoder reads for ``content_frames`` of audio and ``margin_frames`` of padding."""
    wanted = content_frames + margin_frames
    return min(FULL_WINDOW_FRAMES, -(-wanted // FRAMES_PER_SECOND) * FRAMES_PER_SECOND)


@functools.cache
def short_window_model_class() -> type:
    """faster-whisper's model with the short encoder window (its import is deferred like the model's)."""
    from faster_whisper import WhisperModel

    class ShortWindowWhisperModel(WhisperModel):
        # None: Whisper's full 30 s window, as faster-whisper does.
        window_margin_frames: int | None = None

        def encode(self, features: np.ndarray) -> Any:
            if self.window_margin_frames is not None and features.shape[-1] == FULL_WINDOW_FRAMES:
                spoken = np.flatnonzero(np.any(features != 0, axis=tuple(range(features.ndim - 1))))
                content = int(spoken[-1]) + 1 if spoken.size else 0
                features = features[..., : encoder_window_frames(content, self.window_margin_frames)]
            return super().encode(np.ascontiguousarray(features))

    return ShortWindowWhisperModel


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
        beam_size: int = 5,
        cpu_threads: int = 2,
        short_window: bool = False,
    ) -> None:
        super().__init__(executor=executor)
        self.model_name = model
        self.cache_dir = Path(cache_dir)
        self.device = device
        self.compute_type = compute_type
        self.beam_size = max(1, beam_size)
        self.cpu_threads = max(1, cpu_threads)
        self.short_window = short_window
        self._model: Any = None

    def describe(self) -> dict[str, object]:
        return {
            "model": self.model_name or "whisper-base (embedded)",
            "device": self.device,
            "compute_type": self.compute_type,
            "beam_size": self.beam_size,
            "cpu_threads": self.cpu_threads,
            "encoder_window": (
                f"audio + {SHORT_WINDOW_MARGIN_FRAMES // FRAMES_PER_SECOND} s" if self.short_window else "30 s"
            ),
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
        self._model = self._open_model()
        self._model.window_margin_frames = SHORT_WINDOW_MARGIN_FRAMES if self.short_window else None

    def _open_model(self) -> Any:
        WhisperModel = short_window_model_class()
        source, from_hub = self._resolve()
        common = dict(
            device=self.device,
            compute_type=self.compute_type,
            cpu_threads=self.cpu_threads,
            num_workers=1,
            download_root=str(self.cache_dir / "whisper-hub"),
        )
        if not from_hub:
            return WhisperModel(source, **common)
        try:
            return WhisperModel(source, local_files_only=True, **common)
        except Exception:
            try:
                return WhisperModel(source, **common)
            except Exception as exc:
                raise ModelNotFoundError(
                    f"speech-to-text model {source!r} is neither a local folder nor downloadable here ({exc})"
                ) from exc

    def _warmup(self) -> None:
        tone = 0.1 * np.sin(2 * np.pi * 220 * np.arange(SPEECH_SAMPLE_RATE) / SPEECH_SAMPLE_RATE).astype(np.float32)
        self._run(tone, language="en", word_timestamps=False)

    def _run(self, samples: np.ndarray, *, language: str, word_timestamps: bool) -> Transcript:
        audio_seconds = len(samples) / SPEECH_SAMPLE_RATE
        segments, info = self._model.transcribe(
            samples,
            language=language,
            beam_size=self.beam_size,
            vad_filter=True,
            word_timestamps=word_timestamps,
            # Segment timestamps cost decoding steps and nothing here uses them (words have their own).
            without_timestamps=not word_timestamps,
            max_new_tokens=token_budget(audio_seconds),
            **DECODING_GUARDS,
        )
        # The lazy generator is consumed here, in the worker thread, and only up to the bound.
        texts, raw_words, cut = bounded_segments(segments, word_budget(audio_seconds))
        if cut:
            logger.warning(
                "speech-to-text: transcript of %.1f s cut at %d words (a loop)",
                audio_seconds,
                word_budget(audio_seconds),
            )
        words = [
            WordTiming(word=w.word.strip(), start=w.start, end=w.end, probability=w.probability) for w in raw_words
        ]
        return Transcript(
            text=" ".join(t for t in texts if t),
            language=language,
            audio_seconds=audio_seconds,
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
