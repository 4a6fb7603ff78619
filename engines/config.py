"""The engines' settings as one typed value, read from ``django.conf.settings``."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .errors import EngineConfigurationError


@dataclass(frozen=True)
class EngineConfig:
    model_cache: Path = Path.home() / ".cache" / "virtulingo"
    workers: int = 4
    threads: int = 2
    timeout: float = 30.0
    stt_model: str = ""
    stt_device: str = "cpu"
    stt_compute_type: str = "int8"
    stt_beam_size: int = 1
    llm: str = "local"
    llm_model: str = ""
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
    grammar: dict[str, str] = field(default_factory=lambda: {"en": "harper"})
    languagetool_url: str = ""

    @classmethod
    def from_settings(cls) -> EngineConfig:
        from django.conf import settings as s

        def get(name: str, default: object) -> object:
            return getattr(s, name, default)

        d = cls()
        return cls(
            model_cache=Path(get("VIRTULINGO_MODEL_CACHE", d.model_cache)),
            workers=int(get("VIRTULINGO_ENGINE_WORKERS", d.workers)),
            threads=int(get("VIRTULINGO_ENGINE_THREADS", d.threads)),
            timeout=float(get("VIRTULINGO_ENGINE_TIMEOUT_SECONDS", d.timeout)),
            stt_model=str(get("VIRTULINGO_STT_MODEL", "")),
            stt_device=str(get("VIRTULINGO_STT_DEVICE", d.stt_device)),
            stt_compute_type=str(get("VIRTULINGO_STT_COMPUTE_TYPE", d.stt_compute_type)),
            stt_beam_size=int(get("VIRTULINGO_STT_BEAM_SIZE", d.stt_beam_size)),
            llm=str(get("VIRTULINGO_LLM", d.llm)).lower(),
            llm_model=str(get("VIRTULINGO_LLM_MODEL", "")),
            llm_context=int(get("VIRTULINGO_LLM_CONTEXT", d.llm_context)),
            llm_threads=int(get("VIRTULINGO_LLM_THREADS", d.llm_threads)),
            llm_retries=int(get("VIRTULINGO_LLM_RETRIES", d.llm_retries)),
            google_api_key=str(get("GOOGLE_API_KEY", "")),
            gemini_model=str(get("GEMINI_MODEL", d.gemini_model)),
            gemini_base_url=str(get("GEMINI_BASE_URL", "")),
            openai_base_url=str(get("OPENAI_BASE_URL", "")),
            openai_api_key=str(get("OPENAI_API_KEY", "")),
            openai_model=str(get("OPENAI_MODEL", "")),
            tts=str(get("VIRTULINGO_TTS", d.tts)).lower(),
            piper_voice=str(get("VIRTULINGO_PIPER_VOICE", "")),
            espeak_rate=int(get("VIRTULINGO_ESPEAK_RATE", d.espeak_rate)),
            tts_max_chars=int(get("VIRTULINGO_TTS_MAX_CHARS", d.tts_max_chars)),
            coqui_model=str(get("COQUI_MODEL", "")),
            grammar=parse_grammar_choice(str(get("VIRTULINGO_GRAMMAR", "en=harper"))),
            languagetool_url=str(get("LANGUAGETOOL_URL", "")),
        )


GRAMMAR_ENGINES = ("harper", "llm", "languagetool", "none")
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
