"""Anthropic messages through the ``anthropic`` SDK (eco[llm]).

The messages API has no ``n``: each sample is one request. SDK 2.x no longer takes a
``temperature`` (current models sample at their own setting), so none is sent and the
samples differ by the model's own sampling. The SDK's own retries are off:
eco retries itself so that every attempt counts against the run's budget.
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

__all__ = ["AnthropicBackend"]

EXTRA_HINT = 'the Anthropic backend needs the llm extra: pip install "eco[llm]"'


def _sdk() -> Any:
    try:
        import anthropic
    except ImportError as exc:  # pragma: no cover - exercised only without the extra
        raise LLMError(EXTRA_HINT) from exc
    return anthropic


class AnthropicBackend:
    """Messages API, one request per sample."""

    name = "anthropic"

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
        anthropic = _sdk()
        env = os.environ if environ is None else environ
        key = api_key("ANTHROPIC_API_KEY", env)
        if key is None:
            raise LLMError("no API key: set ECO_LLM_API_KEY or ANTHROPIC_API_KEY")
        self.model = model
        self.budget = budget
        self._key = key
        self._attempts = attempts
        self._sleep = sleep
        self._anthropic = anthropic
        self._client = anthropic.Anthropic(
            api_key=key, base_url=base_url, timeout=timeout, max_retries=0
        )

    def complete(self, prompt: Prompt, n: int, temperature: float, max_tokens: int) -> Completion:
        texts: list[str] = []
        input_tokens = output_tokens = 0
        for _ in range(n):

            def call() -> Completion:
                message = self._client.messages.create(
                    model=self.model,
                    system=prompt.system,
                    messages=[{"role": "user", "content": prompt.user}],
                    max_tokens=max_tokens,
                )
                text = "".join(getattr(block, "text", "") for block in message.content)
                return Completion(
                    texts=(text,),
                    input_tokens=message.usage.input_tokens,
                    output_tokens=message.usage.output_tokens,
                )

            kwargs: dict[str, Any] = {} if self._sleep is None else {"sleep": self._sleep}
            one = with_retries(
                call,
                self._classify,
                self.budget,
                attempts=self._attempts,
                describe=self._describe,
                **kwargs,
            )
            self.budget.charge(one)
            texts.extend(one.texts)
            input_tokens += one.input_tokens
            output_tokens += one.output_tokens
        return Completion(tuple(texts), input_tokens, output_tokens)

    def _classify(self, exc: Exception) -> Retryable | None:
        anthropic = self._anthropic
        if isinstance(exc, anthropic.APIStatusError):
            # 529 "overloaded" is Anthropic's own; it is >= 500 as well.
            if exc.status_code == 429 or exc.status_code >= 500:
                return Retryable(exc, parse_retry_after(exc.response.headers))
            return None
        if isinstance(exc, anthropic.APIConnectionError):
            return Retryable(exc, None)
        return None

    def _describe(self, exc: Exception) -> str:
        status = getattr(exc, "status_code", None)
        where = f"HTTP {status}" if status is not None else type(exc).__name__
        text = f"anthropic {self.model}: {where}: {exc}"
        return text.replace(self._key, "***")
