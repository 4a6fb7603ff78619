"""Gemini through the maintained ``google-genai`` SDK, async client.

Replies stream at temperature 0.8; JSON mode uses a response schema at 0.2.
The SDK's own retries are off: 429/503 are retried here, before the first token
only, so streamed text is never duplicated.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any

from .base import BaseEngine
from .errors import EngineError, EngineUnavailableError, MissingAPIKeyError
from .executor import EngineExecutor
from .interfaces import ChatMessage
from .llm_common import (
    call_with_retries,
    parse_json_object,
    status_error,
    stream_with_retries,
    translate_transport_error,
)


class GeminiLLM(BaseEngine):
    name = "gemini"
    role = "llm"

    def __init__(
        self,
        *,
        executor: EngineExecutor,
        api_key: str,
        model: str,
        base_url: str = "",
        timeout: float = 30.0,
        retries: int = 3,
        retry_delay: float = 0.5,
    ) -> None:
        super().__init__(executor=executor)
        self.api_key = api_key
        self.model = model
        self.base_url = base_url
        self.timeout = timeout
        self.retries = max(1, retries)
        self.retry_delay = retry_delay
        self._client: Any = None
        if not api_key:
            self._state, self._reason = "unavailable", "GOOGLE_API_KEY is not set"

    def describe(self) -> dict[str, object]:
        return {"model": self.model, "base_url": self.base_url or "default"}

    def _load(self) -> None:
        if not self.api_key:
            raise MissingAPIKeyError("Gemini needs GOOGLE_API_KEY (set VIRTULINGO_LLM=local to run offline)")
        try:
            from google import genai
            from google.genai import types
        except ImportError as exc:
            raise EngineUnavailableError(f"google-genai is not installed ({exc})") from exc
        options: dict[str, Any] = {
            "timeout": int(self.timeout * 1000),
            "retry_options": types.HttpRetryOptions(attempts=1),
        }
        if self.base_url:
            options["base_url"] = self.base_url
        self._client = genai.Client(api_key=self.api_key, http_options=types.HttpOptions(**options))

    async def warmup(self) -> None:
        await self.ensure_loaded()  # no request: a warm-up must not spend quota

    async def ensure_loaded(self) -> None:
        if self._state != "ready":
            self.load()  # cheap: builds the client, no network

    @staticmethod
    def _split(messages: Sequence[ChatMessage]) -> tuple[str | None, list[dict[str, Any]]]:
        system = "\n\n".join(m.content for m in messages if m.role == "system") or None
        contents = [
            {"role": "model" if m.role == "assistant" else "user", "parts": [{"text": m.content}]}
            for m in messages
            if m.role != "system"
        ]
        return system, contents

    def _translate(self, exc: BaseException) -> EngineError | None:
        from google.genai import errors as genai_errors

        if isinstance(exc, genai_errors.APIError):
            return status_error("Gemini", int(exc.code or 0), exc.message or str(exc))
        return translate_transport_error(exc, engine="Gemini", url=self.base_url or "the Gemini API")

    async def _open(self, system: str | None, contents: list[dict[str, Any]], config: Any) -> AsyncIterator[str]:
        try:
            response = await self._client.aio.models.generate_content_stream(
                model=self.model, contents=contents, config=config
            )
        except Exception as exc:
            raise (self._translate(exc) or exc) from exc
        return self._texts(response)

    async def _texts(self, response: Any) -> AsyncIterator[str]:
        try:
            async for chunk in response:
                text = chunk.text
                if text:
                    yield text
        except EngineError:
            raise
        except Exception as exc:
            raise (self._translate(exc) or exc) from exc

    async def prefill(self, messages: Sequence[ChatMessage]) -> None:
        return None  # the remote server caches prompts by itself

    async def stream(
        self, messages: Sequence[ChatMessage], *, temperature: float = 0.8, max_tokens: int = 200
    ) -> AsyncIterator[str]:
        from google.genai import types

        await self.ensure_loaded()
        system, contents = self._split(messages)
        config = types.GenerateContentConfig(
            system_instruction=system,
            temperature=temperature,
            max_output_tokens=max_tokens,
            automatic_function_calling=types.AutomaticFunctionCallingConfig(disable=True),
        )
        async for delta in stream_with_retries(
            lambda: self._open(system, contents, config),
            attempts=self.retries,
            base_delay=self.retry_delay,
            engine="Gemini",
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
        from google.genai import types

        await self.ensure_loaded()
        system, contents = self._split(messages)
        config = types.GenerateContentConfig(
            system_instruction=system,
            temperature=temperature,
            max_output_tokens=max_tokens,
            response_mime_type="application/json",
            response_json_schema=dict(schema),
            automatic_function_calling=types.AutomaticFunctionCallingConfig(disable=True),
        )

        async def call() -> str:
            try:
                response = await self._client.aio.models.generate_content(
                    model=self.model, contents=contents, config=config
                )
            except Exception as exc:
                raise (self._translate(exc) or exc) from exc
            return response.text or ""

        text = await call_with_retries(call, attempts=self.retries, base_delay=self.retry_delay, engine="Gemini")
        return parse_json_object(text, engine="Gemini")
