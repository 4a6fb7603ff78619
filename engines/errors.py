"""Specific engine errors: each says what went wrong and what to do about it.

Every class derives from :class:`EngineError`, so a caller that only wants to
report "the engine failed" catches that; a management command shows ``str(err)``.
"""

from __future__ import annotations


class EngineError(Exception):
    """Base class of every engine failure. ``code`` matches PROTOCOL.md error codes."""

    code = "engine_failed"


# --- configuration -----------------------------------------------------------


class EngineConfigurationError(EngineError):
    code = "engine_misconfigured"


class ModelNotFoundError(EngineConfigurationError):
    """A model path that does not exist, or a bundled model whose package is missing."""

    code = "model_not_found"


class MissingAPIKeyError(EngineConfigurationError):
    code = "missing_api_key"


class EngineUnavailableError(EngineError):
    """The engine cannot run here (optional package not installed, language not covered)."""

    code = "engine_unavailable"


class UnsupportedLanguageError(EngineUnavailableError):
    code = "unsupported_language"


# --- runtime -------------------------------------------------------------------


class EngineTimeoutError(EngineError):
    code = "engine_timeout"


class EngineUnreachableError(EngineError):
    """A server engine (Gemini, OpenAI-compatible, LanguageTool) could not be reached."""

    code = "engine_unreachable"


class EngineResponseError(EngineError):
    """A server answered with an error status or with something that is not the expected format."""

    code = "engine_bad_response"

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class RateLimitedError(EngineResponseError):
    code = "rate_limited"


# --- bad input -----------------------------------------------------------------


class BadInputError(EngineError, ValueError):
    code = "bad_input"


class EmptyAudioError(BadInputError):
    code = "bad_audio"


class BadAudioError(BadInputError):
    """Audio that is not 16-bit PCM mono, or raw PCM16 with an odd byte count."""

    code = "bad_audio"


class TextTooLongError(BadInputError):
    code = "text_too_long"


class EmptyTextError(BadInputError):
    code = "empty_text"
