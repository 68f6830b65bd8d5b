"""Anthropic messages through the ``anthropic`` SDK (eco[llm]).

The messages API has no ``n``: each sample is one request. SDK 2.x no longer takes a
``temperature`` (current models sample at their own setting), so none is sent and the
samples differ by the model's own sampling. Streamed (``stream = true``), the text comes
from ``content_block_delta`` events and the tokens from ``message_start`` (input) and
``message_delta`` (output). The SDK's own retries are off: eco retries itself
(`ServiceBackend`) so that every attempt counts against the run's budget.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from eco.draft.llm.backend import Budget, Completion, Prompt, ServiceBackend, import_extra

__all__ = ["AnthropicBackend"]

EXTRA_HINT = 'the Anthropic backend needs the llm extra: pip install "eco[llm]"'


class AnthropicBackend(ServiceBackend):
    """Messages API, one request per sample."""

    name = "anthropic"
    key_variable = "ANTHROPIC_API_KEY"
    per_request = 1

    def __init__(
        self,
        model: str,
        budget: Budget,
        *,
        base_url: str | None = None,
        timeout: float = 120.0,
        attempts: int = 4,
        stream: bool = False,
        environ: Mapping[str, str] | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        anthropic = import_extra("anthropic", EXTRA_HINT)
        key = self.key_from(environ)
        assert key is not None
        super().__init__(model, budget, anthropic, key, attempts=attempts, stream=stream, sleep=sleep)
        self._client = anthropic.Anthropic(
            api_key=key, base_url=base_url, timeout=timeout, max_retries=0
        )

    def _request(self, prompt: Prompt, k: int, temperature: float, max_tokens: int) -> Completion:
        common: dict[str, Any] = {
            "model": self.model,
            "system": prompt.system,
            "messages": [{"role": "user", "content": prompt.user}],
            "max_tokens": max_tokens,
        }
        if prompt.stop:
            common["stop_sequences"] = list(prompt.stop)
        if not self.stream:
            message = self._client.messages.create(**common)
            text = "".join(getattr(block, "text", "") for block in message.content)
            return Completion((text,), message.usage.input_tokens, message.usage.output_tokens)
        parts: list[str] = []
        input_tokens = output_tokens = 0
        events = self._client.messages.create(**common, stream=True)
        with events:
            for event in events:
                if event.type == "message_start":
                    input_tokens = event.message.usage.input_tokens
                    output_tokens = event.message.usage.output_tokens
                elif event.type == "content_block_delta" and event.delta.type == "text_delta":
                    parts.append(event.delta.text)
                elif event.type == "message_delta":
                    # Cumulative: the output tokens so far, not an increment.
                    output_tokens = event.usage.output_tokens
        return Completion(("".join(parts),), input_tokens, output_tokens)
