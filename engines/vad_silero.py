"""Silero voice activity detection: the ONNX model that ships inside ``faster-whisper``,
run with onnxruntime (no torch).

One model per process; each audio stream gets its own :class:`VoiceActivityStream`
that carries the model's recurrent state from one 32 ms window to the next, so a
stream of frames gives the same probabilities as the whole recording at once.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from .base import BaseEngine
from .errors import ModelNotFoundError
from .executor import EngineExecutor

VAD_SAMPLE_RATE = 16_000
WINDOW_SAMPLES = 512  # 32 ms: the window the model was trained on at 16 kHz
CONTEXT_SAMPLES = 64  # the model sees the end of the previous window before each one
STATE_SHAPE = (1, 1, 128)


def silero_model_path() -> str:
    from faster_whisper.utils import get_assets_path

    assets = get_assets_path()
    candidates = sorted(name for name in os.listdir(assets) if name.startswith("silero_vad") and name.endswith(".onnx"))
    if not candidates:
        raise ModelNotFoundError(f"faster-whisper ships no Silero VAD model in {assets}")
    return os.path.join(assets, candidates[-1])


class SileroVAD(BaseEngine):
    name = "silero-vad"
    role = "vad"

    def __init__(self, *, executor: EngineExecutor) -> None:
        super().__init__(executor=executor)
        self._session: Any = None
        self.model_path = ""

    def describe(self) -> dict[str, object]:
        return {"model": os.path.basename(self.model_path) or "silero_vad (faster-whisper)"}

    def _load(self) -> None:
        import onnxruntime

        self.model_path = silero_model_path()
        options = onnxruntime.SessionOptions()
        # One window is ~0.15 ms of work: more threads would only cost scheduling.
        options.inter_op_num_threads = 1
        options.intra_op_num_threads = 1
        options.log_severity_level = 4
        self._session = onnxruntime.InferenceSession(
            self.model_path, providers=["CPUExecutionProvider"], sess_options=options
        )

    def _warmup(self) -> None:
        self.stream().probabilities(np.zeros(WINDOW_SAMPLES, dtype=np.float32))

    def stream(self) -> VoiceActivityStream:
        """A new stream state (the model must be loaded)."""
        self.load()
        return VoiceActivityStream(session=self._session)


class VoiceActivityStream:
    """Speech probabilities of consecutive 32 ms windows of one 16 kHz audio stream."""

    def __init__(self, *, session: Any) -> None:
        self._session = session
        self._h = np.zeros(STATE_SHAPE, dtype=np.float32)
        self._c = np.zeros(STATE_SHAPE, dtype=np.float32)
        self._context = np.zeros((1, CONTEXT_SAMPLES), dtype=np.float32)
        self._pending = np.zeros(0, dtype=np.float32)

    def probabilities(self, samples: np.ndarray) -> list[float]:
        """One probability per completed window; samples of an unfinished window wait for the next call."""
        audio = np.concatenate([self._pending, samples.astype(np.float32, copy=False)])
        whole = len(audio) // WINDOW_SAMPLES * WINDOW_SAMPLES
        self._pending = audio[whole:]
        results: list[float] = []
        for start in range(0, whole, WINDOW_SAMPLES):
            window = audio[start : start + WINDOW_SAMPLES][None, :]
            output, self._h, self._c = self._session.run(
                None, {"input": np.concatenate([self._context, window], axis=1), "h": self._h, "c": self._c}
            )
            self._context = window[:, -CONTEXT_SAMPLES:]
            results.append(float(np.ravel(output)[0]))
        return results
