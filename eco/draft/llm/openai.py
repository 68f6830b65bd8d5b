"""OpenAI-compatible chat completions through the ``openai`` SDK (eco[llm]).

``base_url`` points it at anything that speaks the wire format: OpenAI, vLLM, Ollama,
LM Studio, llama.cpp's server. One request returns all ``n`` samples. Streamed
(``stream = true``) it asks for the usage chunk (``stream_options.include_usage``) so the
tokens spent are still counted. The SDK's own retries are off: eco retries itself
(`ServiceBackend`) so that every attempt counts against the run's budget.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from eco.draft.llm.backend import Budget, Completion, Prompt, ServiceBackend, import_extra

__all__ = ["OpenAIBackend"]

EXTRA_HINT = 'the OpenAI backend needs the llm extra: pip install "eco[llm]"'


class OpenAIBackend(ServiceBackend):
    """Chat completions with ``n`` samples per request."""

    name = "openai"
    key_variable = "OPENAI_API_KEY"

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
        openai = import_extra("openai", EXTRA_HINT)
        # Local OpenAI-compatible servers usually need no key.
        key = self.key_from(environ, required=base_url is None) or "unused"
        super().__init__(model, budget, openai, key, attempts=attempts, stream=stream, sleep=sleep)
        self._client = openai.OpenAI(api_key=key, base_url=base_url, timeout=timeout, max_retries=0)

    def _request(self, prompt: Prompt, k: int, temperature: float, max_tokens: int) -> Completion:
        messages = [
            {"role": "system", "content": prompt.system},
            {"role": "user", "content": prompt.user},
        ]
        common: dict[str, Any] = {"model": self.model, "messages": messages, "n": k,
                                  "temperature": temperature, "max_tokens": max_tokens}
        if prompt.stop:
            common["stop"] = list(prompt.stop)[:4]  # the API takes at most four
        if not self.stream:
            response = self._client.chat.completions.create(**common)
            usage = response.usage
            return Completion(
                texts=tuple(c.message.content or "" for c in response.choices),
                input_tokens=usage.prompt_tokens if usage else 0,
                output_tokens=usage.completion_tokens if usage else 0,
            )
        parts: dict[int, list[str]] = {i: [] for i in range(k)}
        input_tokens = output_tokens = 0
        chunks = self._client.chat.completions.create(
            **common, stream=True, stream_options={"include_usage": True}
        )
        with chunks:
            for chunk in chunks:
                for choice in chunk.choices:
                    if choice.delta is not None and choice.delta.content:
                        parts.setdefault(choice.index, []).append(choice.delta.content)
                if chunk.usage is not None:  # the last chunk, with no choices
                    input_tokens = chunk.usage.prompt_tokens
                    output_tokens = chunk.usage.completion_tokens
        texts = tuple("".join(parts[i]) for i in sorted(parts))
        return Completion(texts, input_tokens, output_tokens)
