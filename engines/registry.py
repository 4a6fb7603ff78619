"""One set of engines per process, built from settings on first use.

Nothing is loaded at import or in ``AppConfig.ready()``: engine objects are cheap
to build, and a model loads on the first call or at an explicit ``warmup()``
(ASGI start-up, Celery ``worker_process_init``, test fixtures). ``health()`` only
reads states, so /health never loads a model.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import AsyncIterator, Mapping
from typing import Any

from .base import BaseEngine
from .config import LLM_ENGINES, TTS_ENGINES, EngineConfig
from .errors import EngineConfigurationError, EngineError
from .executor import EngineExecutor
from .interfaces import Audio, GrammarResult

ROLES = ("stt", "vad", "llm", "tts", "grammar")


class EngineRegistry:
    def __init__(self, config: EngineConfig) -> None:
        if config.llm not in LLM_ENGINES:
            raise EngineConfigurationError(
                f"VIRTULINGO_LLM must be one of {', '.join(LLM_ENGINES)}, not {config.llm!r}"
            )
        if config.tts not in TTS_ENGINES:
            raise EngineConfigurationError(
                f"VIRTULINGO_TTS must be one of {', '.join(TTS_ENGINES)}, not {config.tts!r}"
            )
        self.config = config
        self.executor = EngineExecutor(workers=config.workers, timeout=config.timeout)
        self._engines: dict[str, Any] = {}
        self._lock = threading.Lock()

    # --- building (cheap: no model is loaded here) ------------------------------

    def _get(self, key: str, build: Any) -> Any:
        engine = self._engines.get(key)
        if engine is None:
            with self._lock:
                engine = self._engines.get(key)
                if engine is None:
                    engine = self._engines[key] = build()
        return engine

    def stt(self) -> Any:
        from .stt_whisper import WhisperSTT

        c = self.config
        return self._get(
            "stt",
            lambda: WhisperSTT(
                executor=self.executor,
                model=c.stt_model,
                cache_dir=c.model_cache,
                device=c.stt_device,
                compute_type=c.stt_compute_type,
                beam_size=c.stt_beam_size,
                cpu_threads=c.threads,
                short_window=c.stt_short_window,
            ),
        )

    def llm(self, name: str | None = None) -> Any:
        c = self.config
        name = name or c.llm
        if name == "gemini":
            from .llm_gemini import GeminiLLM

            return self._get(
                "llm:gemini",
                lambda: GeminiLLM(
                    executor=self.executor,
                    api_key=c.google_api_key,
                    model=c.gemini_model,
                    base_url=c.gemini_base_url,
                    timeout=c.timeout,
                    retries=c.llm_retries,
                ),
            )
        if name == "openai":
            from .llm_openai import OpenAILLM

            return self._get(
                "llm:openai",
                lambda: OpenAILLM(
                    executor=self.executor,
                    base_url=c.openai_base_url,
                    api_key=c.openai_api_key,
                    model=c.openai_model,
                    timeout=c.timeout,
                    retries=c.llm_retries,
                ),
            )
        from .llm_local import LocalLLM

        return self._get(
            "llm:local",
            lambda: LocalLLM(
                executor=self.executor,
                model_path=c.llm_model,
                cache_dir=c.model_cache,
                n_ctx=c.llm_context,
                n_threads=c.llm_threads,
                timeout=c.timeout,
                trial_dir=c.model_cache,
            ),
        )

    def vad(self) -> Any:
        from .vad_silero import SileroVAD

        return self._get("vad", lambda: SileroVAD(executor=self.executor))

    def tts(self, name: str | None = None) -> Any:
        c = self.config
        name = name or c.tts
        if name == "espeak":
            from .tts_espeak import EspeakTTS

            return self._get(
                "tts:espeak", lambda: EspeakTTS(executor=self.executor, rate=c.espeak_rate, max_chars=c.tts_max_chars)
            )
        if name == "coqui":
            from .tts_coqui import CoquiTTS

            return self._get(
                "tts:coqui",
                lambda: CoquiTTS(
                    executor=self.executor, model=c.coqui_model, threads=c.threads, max_chars=c.tts_max_chars
                ),
            )
        from .tts_piper import PiperTTS

        return self._get(
            "tts:piper",
            lambda: PiperTTS(
                executor=self.executor, default_voice=c.piper_voice, threads=c.threads, max_chars=c.tts_max_chars
            ),
        )

    def tts_for(self, language: str, voices: Mapping[str, str] | None = None) -> tuple[Any, str | None]:
        """The engine and voice id for an NPC: the configured engine when it can speak the
        language with the NPC's voice for it, otherwise espeak-ng."""
        voices = voices or {}
        primary = self.tts()
        voice = voices.get(self.config.tts) or None
        if self.config.tts != "espeak" and primary.state != "unavailable" and primary.supports(language, voice):
            return primary, voice
        return self.tts("espeak"), voices.get("espeak") or None

    async def speak(
        self, text: str, *, language: str, voices: Mapping[str, str] | None = None, speed: float = 1.0
    ) -> AsyncIterator[Audio]:
        """Audio per sentence in the NPC's voice (what the turn orchestrator uses)."""
        engine, voice = self.tts_for(language, voices)
        async for audio in engine.stream(text, language=language, voice=voice, speed=speed):
            yield audio

    def voice_problems(self, language: str, voices: Mapping[str, str] | None) -> list[str]:
        """What is wrong with an NPC's voices (empty when every voice exists): each voice id is
        checked by its engine, and so is the espeak-ng voice the NPC falls back to. Loads only
        espeak-ng's library and reads Piper's voice files, never a neural model."""
        problems: list[str] = []
        voices = dict(voices or {})
        for name, voice in voices.items():
            if name not in TTS_ENGINES:
                problems.append(f"{name!r} is not a text-to-speech engine (use {', '.join(TTS_ENGINES)})")
                continue
            if not isinstance(voice, str):
                problems.append(f"the {name} voice must be a string, not {voice!r}")
                continue
            if voice:
                problems.extend(self._voice_problem(name, voice, language))
        if not voices.get("espeak"):
            from .tts_espeak import EspeakTTS

            problems.extend(self._voice_problem("espeak", EspeakTTS.voice_name(language, None), language))
        return problems

    def _voice_problem(self, name: str, voice: str, language: str) -> list[str]:
        engine = self.tts(name)
        try:
            error = engine.voice_error(voice)
            available = engine.available_voices()
        except EngineError as exc:
            return [f"{name} cannot check voice {voice!r}: {exc}"]
        if not error:
            return []
        # The voices for the NPC's language when the engine has any ("fr", "fr-be", "fr-ch"), else all.
        for_language = [v for v in available if v.split("-")[0].split("_")[0].lower() == language]
        listed = f"; {name} has: {', '.join(for_language or available)}" if available else ""
        return [f"{error}{listed}"]

    def grammar_engine(self, name: str) -> Any:
        if name == "harper":
            from .grammar_harper import HarperGrammar

            return self._get("grammar:harper", lambda: HarperGrammar(executor=self.executor))
        if name == "grammalecte":
            from .grammar_grammalecte import GrammalecteGrammar

            return self._get(
                "grammar:grammalecte",
                lambda: GrammalecteGrammar(executor=self.executor, path=self.config.grammalecte_path),
            )
        if name == "languagetool":
            from .grammar_languagetool import LanguageToolGrammar

            return self._get(
                "grammar:languagetool",
                lambda: LanguageToolGrammar(
                    executor=self.executor, url=self.config.languagetool_url, timeout=self.config.timeout
                ),
            )
        if name == "llm":
            from .grammar_llm import LLMGrammar

            return self._get("grammar:llm", lambda: LLMGrammar(executor=self.executor, llm=self.llm()))
        raise EngineConfigurationError(f"unknown grammar engine {name!r}")

    def grammar_for(self, language: str) -> tuple[Any | None, str]:
        """(engine, "") or (None, why no capable engine covers ``language``)."""
        choice = self.config.grammar
        name = choice.get(language, choice.get("*", "none"))
        if name == "none":
            return None, f"no grammar engine is configured for {language!r} (VIRTULINGO_GRAMMAR)"
        engine = self.grammar_engine(name)
        if engine.state == "unavailable":
            return None, f"{engine.name} is unavailable: {engine.reason}"
        if not engine.supports(language):
            return None, f"{engine.name} does not cover {language!r}"
        return engine, ""

    async def check_grammar(
        self, utterance: str, *, language: str, level: str = "A2", explanation_language: str | None = None
    ) -> GrammarResult:
        """The configured checker's verdict. ``explanation_language`` (the learner's native language)
        is passed to the engine: a language model writes its explanations in it. An engine that
        writes only its own language (Harper, LanguageTool) ignores it; grammar.explanations then
        replaces its messages with templates (``grammar_check_explained``)."""
        engine, reason = self.grammar_for(language)
        if engine is None:
            return GrammarResult.unavailable(utterance=utterance, language=language, reason=reason)
        return await engine.check(utterance, language=language, level=level, explanation_language=explanation_language)

    # --- lifecycle ---------------------------------------------------------------

    def configured(self) -> dict[str, list[Any]]:
        """The engines this configuration uses, per role (building them is cheap)."""
        grammar_names = sorted(set(self.config.grammar.values()) - {"none"})
        tts = [self.tts()] + ([self.tts("espeak")] if self.config.tts != "espeak" else [])
        return {
            "stt": [self.stt()],
            "vad": [self.vad()],
            "llm": [self.llm()],
            "tts": tts,
            "grammar": [self.grammar_engine(name) for name in grammar_names],
        }

    async def warmup(self, roles: tuple[str, ...] = ROLES) -> dict[str, str]:
        """Load and warm every configured engine of ``roles``; failures are reported, not raised."""
        results: dict[str, str] = {}
        for role, engines in self.configured().items():
            if role not in roles:
                continue
            for engine in engines:
                if engine.state == "unavailable":
                    results[f"{role}:{engine.name}"] = f"unavailable: {engine.reason}"
                    continue
                try:
                    await engine.warmup()
                    results[f"{role}:{engine.name}"] = "ready"
                except EngineError as exc:
                    results[f"{role}:{engine.name}"] = f"{engine.state}: {exc}"
        return results

    def warmup_sync(self, roles: tuple[str, ...] = ROLES) -> dict[str, str]:
        """For start-up hooks outside an event loop (Celery ``worker_process_init``)."""
        return asyncio.run(self.warmup(roles))

    def health(self) -> dict[str, Any]:
        """Each configured engine's state (not_loaded/loading/ready/failed/unavailable). Loads nothing."""
        report: dict[str, Any] = {}
        for role, engines in self.configured().items():
            report[role] = [{"engine": e.name, "state": e.state, "reason": e.reason, **_describe(e)} for e in engines]
        report["grammar_languages"] = self._grammar_languages()
        return report

    def _grammar_languages(self) -> dict[str, dict[str, str]]:
        languages = {code for code in self.config.grammar if code != "*"} | {"en", "es", "fr", "de"}
        out: dict[str, dict[str, str]] = {}
        for code in sorted(languages):
            engine, reason = self.grammar_for(code)
            out[code] = (
                {"engine": engine.name, "state": engine.state}
                if engine is not None
                else {"engine": "", "state": "unavailable", "reason": reason}
            )
        return out

    def shutdown(self) -> None:
        self.executor.shutdown()


def _describe(engine: BaseEngine) -> dict[str, object]:
    extra = engine.describe() if hasattr(engine, "describe") else {}
    load_seconds = getattr(engine, "load_seconds", None)
    if load_seconds is not None:
        extra = {**extra, "load_seconds": round(load_seconds, 3)}
    return extra


_registry: EngineRegistry | None = None
_registry_pid: int | None = None
_registry_lock = threading.Lock()


def get_registry() -> EngineRegistry:
    """This process's registry (rebuilt after a fork: threads and models do not survive one)."""
    global _registry, _registry_pid
    if _registry is None or _registry_pid != os.getpid():
        with _registry_lock:
            if _registry is None or _registry_pid != os.getpid():
                _registry = EngineRegistry(EngineConfig.from_settings())
                _registry_pid = os.getpid()
    return _registry


def reset_registry() -> None:
    """Forget this process's engines (tests, settings changes)."""
    global _registry
    with _registry_lock:
        if _registry is not None:
            _registry.shutdown()
        _registry = None
