"""The AI engines behind small interfaces (see docs/ENGINES.md).

Importing this package loads no model and imports no inference library: use
``get_registry()`` and the engines' async methods.
"""

from .errors import EngineError
from .interfaces import (
    GRAMMAR_CATEGORIES,
    Audio,
    ChatMessage,
    GrammarChecker,
    GrammarEdit,
    GrammarResult,
    LanguageModel,
    SpeechToText,
    TextToSpeech,
    Transcript,
)
from .registry import EngineRegistry, get_registry, reset_registry

__all__ = [
    "GRAMMAR_CATEGORIES",
    "Audio",
    "ChatMessage",
    "EngineError",
    "EngineRegistry",
    "GrammarChecker",
    "GrammarEdit",
    "GrammarResult",
    "LanguageModel",
    "SpeechToText",
    "TextToSpeech",
    "Transcript",
    "get_registry",
    "reset_registry",
]
