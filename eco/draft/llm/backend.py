"""The one small interface every LLM backend implements, and what they share.

A backend turns a `Prompt` into `Completion` texts. It owns its SDK, its timeout and its
retries; the `Budget` it is given caps the calls and tokens of the whole run. Keys come
from the environment only (``ECO_LLM_API_KEY``, then the provider's usual variable); they
are never logged, written, or put in an error message.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol, TypeVar, runtime_checkable

from eco.errors import EcoError

__all__ = [
    "Backend",
    "Budget",
    "BudgetExhausted",
    "Completion",
    "LLMError",
    "Prompt",
    "api_key",
    "with_retries",
]

T = TypeVar("T")


class LLMError(EcoError):
    """Raised when a model service cannot be reached, refuses the request, or keeps failing."""


class BudgetExhausted(LLMError):
    """Raised before a call that the run's call or token budget no longer allows."""


@dataclass(frozen=True)
class Prompt:
    """A chat prompt: one system message and the user message."""

    system: str
    user: str


@dataclass(frozen=True)
class Completion:
    """What one request returned: ``n`` sampled texts and the tokens they cost."""

    texts: tuple[str, ...]
    input_tokens: int = 0
    output_tokens: int = 0


@dataclass
class Budget:
    """Calls and tokens a run may spend, and what it has spent (cache hits cost nothing)."""

    #: Most requests sent to the service (retries count).
    max_calls: int = 50
    #: Most tokens, input plus output, the service may report.
    max_tokens: int = 400_000
    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cache_hits: int = 0
    #: Requests that were retried after a rate limit or a server error.
    retries: int = field(default=0)

    @property
    def tokens(self) -> int:
        return self.input_tokens + self.output_tokens

    def check(self) -> None:
        """Raise `BudgetExhausted` when no further call is allowed."""
        if self.calls >= self.max_calls:
            raise BudgetExhausted(f"LLM budget spent: {self.calls} of {self.max_calls} calls")
        if self.tokens >= self.max_tokens:
            raise BudgetExhausted(f"LLM budget spent: {self.tokens} of {self.max_tokens} tokens")

    def charge(self, completion: Completion) -> None:
        self.input_tokens += completion.input_tokens
        self.output_tokens += completion.output_tokens

    def to_json(self) -> dict[str, int]:
        return {
            "calls": self.calls,
            "retries": self.retries,
            "cache_hits": self.cache_hits,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "max_calls": self.max_calls,
            "max_tokens": self.max_tokens,
        }


@runtime_checkable
class Backend(Protocol):
    """A model service: ``complete`` returns ``n`` samples for one prompt."""

    #: ``openai``, ``anthropic``: the drafter name candidates carry.
    name: str
    #: The model name, part of the cache key.
    model: str

    def complete(self, prompt: Prompt, n: int, temperature: float, max_tokens: int) -> Completion:
        """Sample ``n`` completions.

        Raises:
            LLMError: The service failed after retries, or the budget is spent.
        """
        ...


def api_key(provider_variable: str, environ: Mapping[str, str]) -> str | None:
    """``ECO_LLM_API_KEY``, else ``provider_variable``, from ``environ``; None when neither is set."""
    for name in ("ECO_LLM_API_KEY", provider_variable):
        value = environ.get(name, "").strip()
        if value:
            return value
    return None


@dataclass(frozen=True)
class Retryable:
    """A failure worth another try, and how long the service asked us to wait."""

    error: Exception
    retry_after: float | None


def parse_retry_after(headers: Mapping[str, str] | None) -> float | None:
    """Seconds from ``retry-after-ms`` or ``retry-after`` (seconds only; dates are ignored)."""
    if not headers:
        return None
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        raw = headers.get(name)
        if raw is None:
            continue
        try:
            value = float(raw) * scale
        except ValueError:
            continue
        if 0 <= value <= 600:
            return value
    return None


def with_retries(
    call: Callable[[], T],
    classify: Callable[[Exception], Retryable | None],
    budget: Budget,
    *,
    attempts: int = 4,
    base_delay: float = 0.5,
    max_delay: float = 30.0,
    sleep: Callable[[float], None] = time.sleep,
    describe: Callable[[Exception], str] = str,
) -> T:
    """Run ``call`` under the budget; retry what ``classify`` calls retryable.

    Waits what the service asked for (``retry-after``) when it says, else an exponential
    backoff with jitter. Every attempt counts as a call against the budget.

    Raises:
        LLMError: The last failure, described by ``describe`` (which must not include keys).
    """
    for attempt in range(attempts):
        budget.check()
        budget.calls += 1
        try:
            return call()
        except Exception as exc:
            retry = classify(exc)
            if retry is None:
                raise LLMError(describe(exc)) from exc
            if attempt == attempts - 1:
                raise LLMError(f"{describe(exc)} (gave up after {attempts} attempts)") from exc
            delay = retry.retry_after
            if delay is None:
                delay = min(max_delay, base_delay * 2**attempt) * (0.5 + random.random() / 2)
            budget.retries += 1
            sleep(min(delay, max_delay))
    raise AssertionError("unreachable")
