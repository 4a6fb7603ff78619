"""espeak-ng text-to-speech for languages without a Piper voice.

Uses the shared library and voice data shipped by the PyPI package
``espeakng-loader`` (no system package needed), or the system's
``libespeak-ng.so.1`` when that package is missing. The library keeps global
state, so every call holds one process-wide lock (it takes ~15 ms a sentence).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from . import bundled
from .errors import EngineError, EngineUnavailableError, ModelNotFoundError, UnsupportedLanguageError
from .executor import EngineExecutor
from .interfaces import Audio
from .text import split_sentences
from .tts_base import SentenceTTS, check_text

_AUDIO_OUTPUT_SYNCHRONOUS = 2
_POS_CHARACTER = 1
_CHARS_UTF8 = 1
_RATE = 1
_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)

_LIBRARY_LOCK = threading.Lock()  # espeak-ng is one global synthesizer per process

# The voice a language speaks with when an NPC names none: the standard voice of the language
# (metropolitan French, Castilian, standard German, US English) in the variant Whisper
# understood best (lowest word error rate, `bench/stt.py --espeak-variants`, docs/BENCHMARKS.md).
BEST_VOICES = {"en": "en-us", "fr": "fr+m7", "es": "es+klatt", "de": "de+m3"}

# espeak-ng's speed range in words a minute.
RATE_MIN, RATE_MAX = 80, 450


class _EspeakVoice(ctypes.Structure):
    _fields_ = [
        ("name", ctypes.c_char_p),
        ("languages", ctypes.c_char_p),
        ("identifier", ctypes.c_char_p),
        ("gender", ctypes.c_ubyte),
        ("age", ctypes.c_ubyte),
        ("variant", ctypes.c_ubyte),
        ("xx1", ctypes.c_ubyte),
        ("score", ctypes.c_int),
        ("spare", ctypes.c_void_p),
    ]


class _EspeakLibrary:
    def __init__(self, library: Path | None, data_parent: Path | None) -> None:
        self.lib = ctypes.CDLL(str(library) if library else "libespeak-ng.so.1")
        self.lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        self.lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        self.lib.espeak_Synth.argtypes = [
            ctypes.c_char_p,
            ctypes.c_size_t,
            ctypes.c_uint,
            ctypes.c_int,
            ctypes.c_uint,
            ctypes.c_uint,
            ctypes.c_void_p,
            ctypes.c_void_p,
        ]
        self.lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        self.lib.espeak_ListVoices.argtypes = [ctypes.c_void_p]
        self.lib.espeak_ListVoices.restype = ctypes.POINTER(ctypes.POINTER(_EspeakVoice))
        self.lib.espeak_Info.argtypes = [ctypes.POINTER(ctypes.c_char_p)]
        self.lib.espeak_Info.restype = ctypes.c_char_p
        path = str(data_parent).encode() if data_parent else None
        self.sample_rate = self.lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, path, 0)
        if self.sample_rate <= 0:
            raise ModelNotFoundError(f"espeak-ng could not start (no voice data under {data_parent})")
        self._chunks: list[bytes] = []
        self._callback = _CALLBACK(self._on_audio)  # kept referenced: C holds a pointer to it
        self.lib.espeak_SetSynthCallback(self._callback)
        self.languages, self.variants = self._list_voices()

    def _list_voices(self) -> tuple[frozenset[str], frozenset[str]]:
        """The language voices (their file names, lower-cased: "fr", "fr-be", "en-us") and the
        variants ("f3", "klatt") a voice id may add after "+"."""
        languages: set[str] = set()
        listed = self.lib.espeak_ListVoices(None)
        index = 0
        while listed and listed[index]:
            identifier = (listed[index].contents.identifier or b"").decode()
            if identifier and not identifier.startswith(("mb/", "variants/")):
                languages.add(identifier.rsplit("/", 1)[-1].lower())
            index += 1
        data = ctypes.c_char_p()
        self.lib.espeak_Info(ctypes.byref(data))
        variants_dir = Path((data.value or b"").decode()) / "voices" / "!v"
        variants = {f.name.lower() for f in variants_dir.iterdir() if f.is_file()} if variants_dir.is_dir() else set()
        return frozenset(languages), frozenset(variants)

    def voice_error(self, voice: str) -> str:
        """Why espeak-ng cannot speak with ``voice`` ("" when it can)."""
        language, _, variant = voice.lower().partition("+")
        if language not in self.languages:
            return f"espeak-ng has no voice {voice!r}"
        if variant and variant not in self.variants:
            return f"espeak-ng has no variant {variant!r} (voice {voice!r})"
        return ""

    def _on_audio(self, wav: Any, count: int, _events: Any) -> int:
        if count > 0 and wav:
            self._chunks.append(ctypes.string_at(wav, count * 2))
        return 0  # continue

    def speak(self, text: str, voice: str, rate: int) -> bytes:
        if error := self.voice_error(voice):
            raise UnsupportedLanguageError(error)
        with _LIBRARY_LOCK:
            if self.lib.espeak_SetVoiceByName(voice.encode()) != 0:
                raise UnsupportedLanguageError(f"espeak-ng has no voice {voice!r}")
            self.lib.espeak_SetParameter(_RATE, rate, 0)
            self._chunks = []
            data = text.encode("utf-8") + b"\0"
            if self.lib.espeak_Synth(data, len(data), 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None) != 0:
                raise EngineError(f"espeak-ng failed to speak with voice {voice!r}")
            self.lib.espeak_Synchronize()
            pcm, self._chunks = b"".join(self._chunks), []
            return pcm


_shared: tuple[_EspeakLibrary, str] | None = None


def _shared_library() -> tuple[_EspeakLibrary, str]:
    """The process's one espeak-ng instance: a second ``espeak_Initialize`` or synth
    callback would silently take the audio away from the first."""
    global _shared
    with _LIBRARY_LOCK:
        if _shared is None:
            try:
                library, data = bundled.espeak_library()
                _shared = (_EspeakLibrary(library, data.parent), str(library))
            except ModelNotFoundError:
                if not ctypes.util.find_library("espeak-ng"):
                    raise EngineUnavailableError(
                        "espeak-ng is missing: pip install espeakng-loader (or apt-get install espeak-ng)"
                    ) from None
                _shared = (_EspeakLibrary(None, None), "system libespeak-ng")
        return _shared


class EspeakTTS(SentenceTTS):
    name = "espeak-ng"

    def __init__(self, *, executor: EngineExecutor, rate: int = 175, max_chars: int = 1000) -> None:
        super().__init__(executor=executor)
        self.rate = rate
        self.max_chars = max_chars
        self._library: _EspeakLibrary | None = None
        self.source = ""

    def describe(self) -> dict[str, object]:
        return {"rate_wpm": self.rate, "library": self.source or "espeakng-loader or system"}

    def _load(self) -> None:
        self._library, self.source = _shared_library()

    def _warmup(self) -> None:
        self.synthesize_sync("Hello.", language="en")

    def supports(self, language: str, voice: str | None = None) -> bool:
        return bool(language)  # espeak-ng speaks ~100 languages; an unknown one fails with a clear error

    @staticmethod
    def voice_name(language: str, voice: str | None) -> str:
        if voice:
            return voice
        return BEST_VOICES.get(language, language)

    def available_voices(self) -> list[str]:
        """Every voice id this engine speaks with (variants go after "+", e.g. "fr+f3")."""
        self.load()
        assert self._library is not None
        return sorted(self._library.languages)

    def voice_error(self, voice: str) -> str:
        """Why ``voice`` cannot be used ("" when it can); loads the library (milliseconds)."""
        self.load()
        assert self._library is not None
        return self._library.voice_error(voice)

    def rate_for(self, speed: float) -> int:
        """Words a minute for a relative speed (1.0 = the configured rate)."""
        return max(RATE_MIN, min(RATE_MAX, round(self.rate * speed)))

    def sentences_sync(
        self, text: str, *, language: str, voice: str | None = None, speed: float = 1.0
    ) -> Iterator[Audio]:
        cleaned = check_text(text, self.max_chars)
        self.load()
        assert self._library is not None
        for sentence in split_sentences(cleaned):
            pcm = self._library.speak(sentence, self.voice_name(language, voice), self.rate_for(speed))
            if pcm:
                yield Audio(pcm=pcm, sample_rate=self._library.sample_rate)
