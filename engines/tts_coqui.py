"""Coqui TTS (``coqui-tts``, the maintained fork of ``TTS``): optional.

Install with ``pip install -r requirements-coqui.txt``. ``COQUI_MODEL`` is a model
name (downloaded by Coqui on first use, so it needs the internet once) or a local
checkpoint given as ``/path/model.pth`` with ``config.json`` beside it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from .audio import float_to_pcm16
from .errors import EngineConfigurationError, EngineUnavailableError, ModelNotFoundError
from .executor import EngineExecutor
from .interfaces import Audio
from .text import split_sentences
from .tts_base import SentenceTTS, check_text


def coqui_importable() -> tuple[bool, str]:
    try:
        import TTS.api  # noqa: F401
    except Exception as exc:  # ImportError, or torchaudio failing to load
        return False, f"coqui-tts is not importable here ({type(exc).__name__}: {exc})"
    return True, ""


class CoquiTTS(SentenceTTS):
    name = "coqui"

    def __init__(
        self,
        *,
        executor: EngineExecutor,
        model: str,
        languages: tuple[str, ...] = (),
        threads: int = 2,
        max_chars: int = 1000,
    ) -> None:
        super().__init__(executor=executor)
        self.model = model
        self.languages = languages
        self.threads = threads
        self.max_chars = max_chars
        self._tts: Any = None
        self._lock = threading.Lock()
        if not model:
            self._state, self._reason = "unavailable", "COQUI_MODEL is not set"

    def describe(self) -> dict[str, object]:
        return {"model": self.model}

    def supports(self, language: str, voice: str | None = None) -> bool:
        return not self.languages or language in self.languages

    def _load(self) -> None:
        if not self.model:
            raise EngineConfigurationError("the Coqui engine needs COQUI_MODEL (a model name or a .pth checkpoint)")
        ok, reason = coqui_importable()
        if not ok:
            raise EngineUnavailableError(reason)
        import torch
        from TTS.api import TTS

        torch.set_num_threads(self.threads)
        path = Path(self.model).expanduser()
        if path.suffix == ".pth" or self.model.startswith((".", "/", "~")):
            config = path.with_name("config.json")
            if not path.is_file() or not config.is_file():
                raise ModelNotFoundError(f"Coqui checkpoint {path} (with config.json beside it) does not exist")
            self._tts = TTS(model_path=str(path), config_path=str(config))
        else:
            self._tts = TTS(model_name=self.model)

    def sentences_sync(
        self, text: str, *, language: str, voice: str | None = None, speed: float = 1.0
    ) -> Iterator[Audio]:
        cleaned = check_text(text, self.max_chars)
        self.load()
        rate = int(self._tts.synthesizer.output_sample_rate)
        kwargs: dict[str, Any] = {}
        if "xtts" in self.model.lower():  # of Coqui's models only XTTS takes a speed
            kwargs["speed"] = speed
        if getattr(self._tts, "is_multi_lingual", False):
            kwargs["language"] = language
        if voice and getattr(self._tts, "is_multi_speaker", False):
            kwargs["speaker"] = voice
        for sentence in split_sentences(cleaned):
            with self._lock:
                samples = np.asarray(self._tts.tts(text=sentence, **kwargs), dtype=np.float32)
            yield Audio(pcm=float_to_pcm16(samples), sample_rate=rate)
