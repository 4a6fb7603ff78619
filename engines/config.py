"""The engines' settings as one typed value, read from ``django.conf.settings``."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .errors import EngineConfigurationError


@dataclass(frozen=True)
class EngineConfig:
    model_cache: Path = Path.home() / ".cache" / "virtulingo"
    workers: int = 4
    threads: int = min(os.cpu_count() or 2, 4)  # CPU threads per model
    timeout: float = 30.0
    stt_model: str = ""
    stt_device: str = "cpu"
    stt_compute_type: str = "int8"
    stt_beam_size: int = 5  # measured against 1: docs/BENCHMARKS.md
    # Whisper's encoder reads the audio and 5 s of padding, not a fixed 30 s: 3x faster, but
    # some short robotic clips came out empty or looping (docs/BENCHMARKS.md), so off by default.
    stt_short_window: bool = False
    llm: str = "local"
    # A packaged model by name (engines/llm_models.py: qwen2.5-1.5b, smollm2-135m, qwen2.5-0.5b)
    # or a GGUF path; chosen by the conversation evaluation (docs/BENCHMARKS.md).
    llm_model: str = "qwen2.5-1.5b"
    llm_context: int = 2048
    llm_threads: int = 2
    llm_retries: int = 3
    google_api_key: str = ""
    gemini_model: str = "gemini-2.5-flash"
    gemini_base_url: str = ""
    openai_base_url: str = ""
    openai_api_key: str = ""
    openai_model: str = ""
    tts: str = "piper"
    piper_voice: str = ""
    espeak_rate: int = 175
    tts_max_chars: int = 1000
    coqui_model: str = ""
    # Harper for English, Grammalecte for French (reported unavailable, with the reason, where
    # python3-grammalecte is not installed); no offline engine is good enough for the others.
    grammar: dict[str, str] = field(default_factory=lambda: {"en": "harper", "fr": "grammalecte"})
    # Where Debian installs Grammalecte for the system Python (the virtual environment does not see it).
    grammalecte_path: str = "/usr/lib/python3/dist-packages"
    languagetool_url: str = ""

    @classmethod
    def from_settings(cls) -> EngineConfig:
        """From Django's settings, which read the environment (virtulingo/environment.py); the
        defaults are this class's own, so each is written once."""
        from django.conf import settings as s

        return cls(
            model_cache=Path(s.VIRTULINGO_MODEL_CACHE),
            workers=int(s.VIRTULINGO_ENGINE_WORKERS),
            threads=int(s.VIRTULINGO_ENGINE_THREADS),
            timeout=float(s.VIRTULINGO_ENGINE_TIMEOUT_SECONDS),
            stt_model=str(s.VIRTULINGO_STT_MODEL),
            stt_device=str(s.VIRTULINGO_STT_DEVICE),
            stt_compute_type=str(s.VIRTULINGO_STT_COMPUTE_TYPE),
            stt_beam_size=int(s.VIRTULINGO_STT_BEAM_SIZE),
            stt_short_window=bool(s.VIRTULINGO_STT_SHORT_WINDOW),
            llm=str(s.VIRTULINGO_LLM).lower(),
            llm_model=str(s.VIRTULINGO_LLM_MODEL) or cls.llm_model,  # empty: the default
            llm_context=int(s.VIRTULINGO_LLM_CONTEXT),
            llm_threads=int(s.VIRTULINGO_LLM_THREADS),
            llm_retries=int(s.VIRTULINGO_LLM_RETRIES),
            google_api_key=str(s.GOOGLE_API_KEY),
            gemini_model=str(s.GEMINI_MODEL),
            gemini_base_url=str(s.GEMINI_BASE_URL),
            openai_base_url=str(s.OPENAI_BASE_URL),
            openai_api_key=str(s.OPENAI_API_KEY),
            openai_model=str(s.OPENAI_MODEL),
            tts=str(s.VIRTULINGO_TTS).lower(),
            piper_voice=str(s.VIRTULINGO_PIPER_VOICE),
            espeak_rate=int(s.VIRTULINGO_ESPEAK_RATE),
            tts_max_chars=int(s.VIRTULINGO_TTS_MAX_CHARS),
            coqui_model=str(s.COQUI_MODEL),
            grammar=parse_grammar_choice(str(s.VIRTULINGO_GRAMMAR)),
            grammalecte_path=str(s.VIRTULINGO_GRAMMALECTE_PATH),
            languagetool_url=str(s.LANGUAGETOOL_URL),
        )


GRAMMAR_ENGINES = ("harper", "grammalecte", "llm", "languagetool", "none")
LLM_ENGINES = ("local", "gemini", "openai")
TTS_ENGINES = ("piper", "espeak", "coqui")


def parse_grammar_choice(value: str) -> dict[str, str]:
    """``"en=harper,*=llm"`` -> ``{"en": "harper", "*": "llm"}``; a bare engine name means ``*``."""
    choice: dict[str, str] = {}
    for item in value.split(","):
        item = item.strip()
        if not item:
            continue
        language, _, engine = item.rpartition("=")
        language, engine = (language.strip().lower() or "*"), engine.strip().lower()
        if engine not in GRAMMAR_ENGINES:
            raise EngineConfigurationError(
                f"VIRTULINGO_GRAMMAR: unknown engine {engine!r} for {language!r} (use {', '.join(GRAMMAR_ENGINES)})"
            )
        choice[language] = engine
    return choice
