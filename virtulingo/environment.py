"""Every environment variable the server reads, typed and validated by pydantic-settings,
each with its one default: the engines' defaults are EngineConfig's, the rest are here.
settings.py turns them into Django settings; README.md and .env.example list them all
(a test checks that each field here is in both)."""

from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from pydantic import Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from engines.config import EngineConfig

_ENGINE = EngineConfig()


class Environment(BaseSettings):
    model_config = SettingsConfigDict(case_sensitive=True, extra="ignore")

    @model_validator(mode="before")
    @classmethod
    def _blank_means_default(cls, values: Any) -> Any:
        """Surrounding spaces are dropped, and a blank variable (as .env.example leaves most)
        means "use the default"."""
        if not isinstance(values, dict):
            return values
        stripped = {key: value.strip() if isinstance(value, str) else value for key, value in values.items()}
        return {key: value for key, value in stripped.items() if value != ""}

    # Core
    DJANGO_DEBUG: bool = True
    DJANGO_SECRET_KEY: str = ""
    DJANGO_ALLOWED_HOSTS: str = "localhost,127.0.0.1,[::1]"
    DJANGO_CSRF_TRUSTED_ORIGINS: str = ""
    VIRTULINGO_ALLOW_ANONYMOUS_PLAYERS: bool | None = None  # None: same as DJANGO_DEBUG
    LOG_LEVEL: str = "INFO"
    VIRTULINGO_HTTPS: bool = False
    VIRTULINGO_HSTS_SECONDS: int = 3600
    # Data
    DATABASE_URL: str = ""
    DATABASE_CONN_MAX_AGE: int = 60
    REDIS_URL: str = ""
    VIRTULINGO_CHANNEL_LAYER_MAX_CONNECTIONS: int = 1000
    VIRTULINGO_CHANNEL_LAYER_CAPACITY: int = 100
    VIRTULINGO_WORLD_STATE_TTL: int = 24 * 3600
    VIRTULINGO_HISTORY_EXCHANGES: int = 10
    VIRTULINGO_END_OF_TURN_SILENCE_MS: int = 700
    VIRTULINGO_BEGINNER_END_OF_TURN_SILENCE_MS: int = 1200
    VIRTULINGO_SPECULATIVE_REPLIES: bool = True
    # WebSocket limits, per socket unless named otherwise (docs/PROTOCOL.md, "Limits"). Frames
    # stay under Daphne's own 1 MiB cap, so a client hears the server's error, not a 1009 close.
    VIRTULINGO_WS_AUDIO_FRAME_MAX_BYTES: int = Field(256 * 1024, gt=0, lt=1024 * 1024)
    VIRTULINGO_WS_TEXT_FRAME_MAX_BYTES: int = Field(64 * 1024, gt=0, lt=1024 * 1024)
    VIRTULINGO_TYPED_TEXT_MAX_CHARS: int = Field(1000, gt=0)
    VIRTULINGO_UTTERANCE_MAX_SECONDS: float = Field(30.0, gt=0, le=300)
    VIRTULINGO_WS_MESSAGES_PER_10S: int = Field(100, gt=0)  # text messages: audio frames are speech
    VIRTULINGO_WS_ERRORS_PER_10S: int = Field(20, gt=0)
    VIRTULINGO_SOCKETS_PER_PLAYER: int = Field(8, gt=0)  # per server process
    # Replies a socket has not taken yet, held by the server: past it the client is dropped
    # (virtulingo/daphne_websocket.py). At least Twisted's own 64 KiB write buffer.
    VIRTULINGO_WS_MAX_BUFFERED_BYTES: int = Field(2 * 1024 * 1024, ge=64 * 1024)
    # Seconds a stopping server (SIGTERM) gives its sockets' turns and requests to finish.
    VIRTULINGO_SHUTDOWN_GRACE_SECONDS: float = Field(10.0, gt=0, le=300)
    # Celery
    CELERY_BROKER_URL: str | None = None  # None: REDIS_URL
    VIRTULINGO_GRAMMAR_TASK_TIME_LIMIT: int = 40
    VIRTULINGO_BROKER_VISIBILITY_TIMEOUT: int = 45
    VIRTULINGO_GRAMMAR_REQUEUE_AFTER: int = 120
    # Engines
    VIRTULINGO_MODEL_CACHE: Path = _ENGINE.model_cache
    VIRTULINGO_ENGINE_WORKERS: int = _ENGINE.workers
    VIRTULINGO_ENGINE_THREADS: int = _ENGINE.threads
    VIRTULINGO_ENGINE_TIMEOUT: int = int(_ENGINE.timeout)
    VIRTULINGO_WARM_UP_ENGINES: bool = True
    VIRTULINGO_STT_MODEL: str = _ENGINE.stt_model
    VIRTULINGO_STT_DEVICE: str = _ENGINE.stt_device
    VIRTULINGO_STT_COMPUTE_TYPE: str = _ENGINE.stt_compute_type
    VIRTULINGO_STT_BEAM_SIZE: int = _ENGINE.stt_beam_size
    VIRTULINGO_STT_SHORT_WINDOW: bool = _ENGINE.stt_short_window
    VIRTULINGO_LLM: str = _ENGINE.llm
    VIRTULINGO_LLM_MODEL: str = _ENGINE.llm_model
    VIRTULINGO_LLM_CONTEXT: int = _ENGINE.llm_context
    VIRTULINGO_LLM_THREADS: int = _ENGINE.llm_threads
    VIRTULINGO_LLM_RETRIES: int = _ENGINE.llm_retries
    GOOGLE_API_KEY: str = _ENGINE.google_api_key
    GEMINI_MODEL: str = _ENGINE.gemini_model
    GEMINI_BASE_URL: str = _ENGINE.gemini_base_url
    OPENAI_BASE_URL: str = _ENGINE.openai_base_url
    OPENAI_API_KEY: str = _ENGINE.openai_api_key
    OPENAI_MODEL: str = _ENGINE.openai_model
    VIRTULINGO_TTS: str = _ENGINE.tts
    VIRTULINGO_PIPER_VOICE: str = _ENGINE.piper_voice
    VIRTULINGO_ESPEAK_RATE: int = _ENGINE.espeak_rate
    VIRTULINGO_TTS_MAX_CHARS: int = _ENGINE.tts_max_chars
    COQUI_MODEL: str = _ENGINE.coqui_model
    VIRTULINGO_GRAMMAR: str = ",".join(f"{language}={engine}" for language, engine in _ENGINE.grammar.items())
    VIRTULINGO_GRAMMALECTE_PATH: str = _ENGINE.grammalecte_path
    LANGUAGETOOL_URL: str = _ENGINE.languagetool_url
    VIRTULINGO_REVIEW_EXERCISES: str = "auto"
    # REST limits
    # A spoken REST turn (30 s of 48 kHz stereo WAV, base64) is the largest legitimate body: ~7.7 MB.
    VIRTULINGO_API_MAX_BODY_BYTES: int = 8 * 1024 * 1024
    VIRTULINGO_API_MAX_JSON_DEPTH: int = 32


_MEANINGS = {"bool_parsing": "must be true or false", "int_parsing": "must be an integer"}


def environment_read() -> Environment:
    """The environment, or ImproperlyConfigured naming each bad variable and what it must be."""
    try:
        return Environment()
    except ValidationError as exc:
        problems = [
            f"{'.'.join(str(part) for part in error['loc'])} {_MEANINGS.get(error['type'], error['msg'])}, "
            f"not {error.get('input')!r}"
            for error in exc.errors()
        ]
        raise ImproperlyConfigured("; ".join(problems)) from None
