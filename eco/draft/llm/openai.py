"""OpenAI-compatible chat completions through the ``openai`` SDK (eco[llm]).

``base_url`` points it at anything that speaks the wire format: OpenAI, vLLM, Ollama,
LM Studio, llama.cpp's server. The SDK's own retries are off: eco retries itself so that
every attempt counts against the run's budget.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any

from eco.draft.llm.backend import (
    Budget,
    Completion,
    LLMError,
    Prompt,
    Retryable,
    api_key,
    parse_retry_after,
    with_retries,
)

__all__ = ["OpenAIBackend"]

EXTRA_HINT = 'the OpenAI backend needs the llm extra: pip install "eco[llm]"'


def _sdk() -> Any:
    try:
        import openai
    except ImportError as exc:  # pragma: no cover - exercised only without the extra
        raise LLMError(EXTRA_HINT) from exc
    return openai


class OpenAIBackend:
    """Chat completions with ``n`` samples per request."""

    name = "openai"

    def __init__(
        self,
        model: str,
        budget: Budget,
        *,
        base_url: str | None = None,
        timeout: float = 120.0,
        attempts: int = 4,
        environ: Mapping[str, str] | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        openai = _sdk()
        env = os.environ if environ is None else environ
        key = api_key("OPENAI_API_KEY", env)
        if key is None:
            if base_url is None:
                raise LLMError("no API key: set ECO_LLM_API_KEY or OPENAI_API_KEY")
            key = "unused"  # local OpenAI-compatible servers usually need none
        self.model = model
        self.budget = budget
        self._key = key
        self._attempts = attempts
        self._sleep = sleep
        self._openai = openai
        self._client = openai.OpenAI(api_key=key, base_url=base_url, timeout=timeout, max_retries=0)

    def complete(self, prompt: Prompt, n: int, temperature: float, max_tokens: int) -> Completion:
        def call() -> Completion:
            response = self._client.chat.completions.create(
                model=self.model,
                messages=[
                    {"role": "system", "content": prompt.system},
                    {"role": "user", "content": prompt.user},
                ],
                n=n,
                temperature=temperature,
                max_tokens=max_tokens,
            )
            texts = tuple(c.message.content or "" for c in response.choices)
            usage = response.usage
            return Completion(
                texts=texts,
                input_tokens=usage.prompt_tokens if usage else 0,
                output_tokens=usage.completion_tokens if usage else 0,
            )

        kwargs: dict[str, Any] = {} if self._sleep is None else {"sleep": self._sleep}
        completion = with_retries(
            call,
            self._classify,
            self.budget,
            attempts=self._attempts,
            describe=self._describe,
            **kwargs,
        )
        self.budget.charge(completion)
        return completion

    def _classify(self, exc: Exception) -> Retryable | None:
        openai = self._openai
        if isinstance(exc, openai.APIStatusError):
            if exc.status_code == 429 or exc.status_code >= 500:
                return Retryable(exc, parse_retry_after(exc.response.headers))
            return None
        if isinstance(exc, openai.APIConnectionError):  # includes APITimeoutError
            return Retryable(exc, None)
        return None

    def _describe(self, exc: Exception) -> str:
        status = getattr(exc, "status_code", None)
        where = f"HTTP {status}" if status is not None else type(exc).__name__
        text = f"openai {self.model}: {where}: {exc}"
        return text.replace(self._key, "***")
