"""Any OpenAI-compatible chat server (OpenAI, Ollama, vLLM, llama.cpp server)
through the ``openai`` SDK's async client: streaming replies and JSON mode."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any

from .base import BaseEngine
from .errors import (
    EngineConfigurationError,
    EngineError,
    EngineTimeoutError,
    EngineUnavailableError,
    EngineUnreachableError,
)
from .executor import EngineExecutor
from .interfaces import ChatMessage
from .llm_common import (
    call_with_retries,
    parse_json_object,
    status_error,
    stream_with_retries,
    translate_transport_error,
)
from .untrusted_text import neutralize_markers


class OpenAILLM(BaseEngine):
    name = "openai"
    role = "llm"

    def __init__(
        self,
        *,
        executor: EngineExecutor,
        base_url: str,
        api_key: str,
        model: str,
        timeout: float = 30.0,
        retries: int = 3,
        retry_delay: float = 0.5,
    ) -> None:
        super().__init__(executor=executor)
        self.base_url = base_url
        # Local servers (Ollama, vLLM, llama.cpp) accept any key; the SDK insists on one.
        self.api_key = api_key or "not-needed"
        self.model = model
        self.timeout = timeout
        self.retries = max(1, retries)
        self.retry_delay = retry_delay
        self._client: Any = None
        if not model:
            self._state, self._reason = "unavailable", "OPENAI_MODEL is not set"

    def describe(self) -> dict[str, object]:
        return {"model": self.model, "base_url": self.base_url or "https://api.openai.com/v1"}

    def _load(self) -> None:
        if not self.model:
            raise EngineConfigurationError("the OpenAI-compatible engine needs OPENAI_MODEL")
        if not self.base_url and self.api_key == "not-needed":
            raise EngineConfigurationError("set OPENAI_API_KEY for OpenAI, or OPENAI_BASE_URL for a local server")
        try:
            from openai import AsyncOpenAI
        except ImportError as exc:
            raise EngineUnavailableError(f"openai is not installed ({exc})") from exc
        self._client = AsyncOpenAI(
            base_url=self.base_url or None, api_key=self.api_key, timeout=self.timeout, max_retries=0
        )

    async def warmup(self) -> None:
        await self.ensure_loaded()

    async def ensure_loaded(self) -> None:
        if self._state != "ready":
            self.load()  # cheap: builds the client, no network

    def _translate(self, exc: BaseException) -> EngineError | None:
        import openai

        where = self.base_url or "api.openai.com"
        if isinstance(exc, openai.APITimeoutError):  # subclass of APIConnectionError: test it first
            return EngineTimeoutError(f"OpenAI-compatible server at {where} did not answer in time")
        if isinstance(exc, openai.APIConnectionError):
            return EngineUnreachableError(f"OpenAI-compatible server at {where} is unreachable ({exc})")
        if isinstance(exc, openai.APIStatusError):
            return status_error("OpenAI-compatible server", exc.status_code, _message(exc))
        return translate_transport_error(exc, engine="OpenAI-compatible server", url=where)

    @staticmethod
    def _messages(messages: Sequence[ChatMessage]) -> list[dict[str, str]]:
        # A llama.cpp or vLLM server renders a chat template and parses its special tokens.
        return [{"role": m.role, "content": neutralize_markers(m.content)} for m in messages]

    async def _open(self, **kwargs: Any) -> AsyncIterator[str]:
        try:
            stream = await self._client.chat.completions.create(stream=True, **kwargs)
        except Exception as exc:
            raise (self._translate(exc) or exc) from exc
        return self._texts(stream)

    async def _texts(self, stream: Any) -> AsyncIterator[str]:
        try:
            async for chunk in stream:
                if chunk.choices and chunk.choices[0].delta and chunk.choices[0].delta.content:
                    yield chunk.choices[0].delta.content
        except EngineError:
            raise
        except Exception as exc:
            raise (self._translate(exc) or exc) from exc

    async def prefill(self, messages: Sequence[ChatMessage]) -> None:
        return None  # the remote server caches prompts by itself

    async def stream(
        self, messages: Sequence[ChatMessage], *, temperature: float = 0.8, max_tokens: int = 200
    ) -> AsyncIterator[str]:
        await self.ensure_loaded()
        kwargs = dict(
            model=self.model, messages=self._messages(messages), temperature=temperature, max_tokens=max_tokens
        )
        async for delta in stream_with_retries(
            lambda: self._open(**kwargs),
            attempts=self.retries,
            base_delay=self.retry_delay,
            engine="OpenAI-compatible server",
        ):
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

        async def call() -> str:
            try:
                response = await self._client.chat.completions.create(
                    model=self.model,
                    messages=self._messages(messages),
                    temperature=temperature,
                    max_tokens=max_tokens,
                    response_format={
                        "type": "json_schema",
                        "json_schema": {"name": "result", "schema": dict(schema), "strict": True},
                    },
                )
            except Exception as exc:
                raise (self._translate(exc) or exc) from exc
            if not response.choices:
                return ""
            return response.choices[0].message.content or ""

        text = await call_with_retries(
            call, attempts=self.retries, base_delay=self.retry_delay, engine="OpenAI-compatible server"
        )
        return parse_json_object(text, engine="OpenAI-compatible server")


def _message(exc: Any) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        error = body.get("error", body)
        if isinstance(error, dict) and error.get("message"):
            return str(error["message"])
    return str(getattr(exc, "message", "") or exc)
