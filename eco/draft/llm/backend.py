"""The one small interface every LLM backend implements, and what they share.

A backend turns a `Prompt` into `Completion` texts. It owns its SDK, its timeout and its
retries; the `Budget` it is given caps the calls and tokens of the whole run. Keys come
from the environment only (``ECO_LLM_API_KEY``, then the provider's usual variable); they
are never logged, written, or put in an error message.
"""

from __future__ import annotations

import importlib
import os
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar, runtime_checkable

from eco.errors import EcoError

__all__ = [
    "Backend",
    "Budget",
    "BudgetExhausted",
    "Completion",
    "LLMError",
    "Prompt",
    "ServiceBackend",
    "api_key",
    "import_extra",
    "with_retries",
]

T = TypeVar("T")


class LLMError(EcoError):
    """Raised when a model service cannot be reached, refuses the request, or keeps failing."""


def import_extra(module: str, hint: str) -> Any:
    """``module``, imported on first use; an optional extra that is not installed is an
    `LLMError` saying which extra to install (``hint``), not an ImportError traceback."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise LLMError(hint) from exc


class BudgetExhausted(LLMError):
    """Raised before a call that the run's call or token budget no longer allows."""


@dataclass(frozen=True)
class Prompt:
    """A chat prompt (one system message and the user message), or a completion prompt.

    A completion prompt (for base models, which continue text and cannot chat) has an
    empty ``system``, the text to continue in ``user`` and the ``stop`` sequences that
    end the continuation.
    """

    system: str
    user: str
    stop: tuple[str, ...] = ()


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

    #: ``openai``, ``anthropic``, ``llama``: the drafter name candidates carry.
    name: str
    #: The model name, part of the cache key.
    model: str
    #: False for base models that only continue text: they get completion prompts.
    chat: bool
    #: The run's budget this backend charges.
    budget: Budget

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


class ServiceBackend:
    """What the SDK backends share: the key, retries with backoff, the budget, usage, and
    error texts that never carry the key.

    A subclass names its SDK and implements `_request`, one HTTP request for ``k`` samples
    (``k`` is at most `per_request` of them), streamed or not.
    """

    name = ""
    chat = True
    #: The provider's own key variable, the fallback for ``ECO_LLM_API_KEY``.
    key_variable = ""
    #: Most samples one request can return (None: any number, as OpenAI's ``n``).
    per_request: int | None = None

    def __init__(
        self,
        model: str,
        budget: Budget,
        sdk: Any,
        key: str,
        *,
        attempts: int = 4,
        stream: bool = False,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self.model = model
        self.budget = budget
        self.stream = stream
        self._sdk = sdk
        self._key = key
        self._attempts = attempts
        self._sleep = sleep

    @classmethod
    def key_from(cls, environ: Mapping[str, str] | None, required: bool = True) -> str | None:
        """The API key from ``environ`` (default: the process environment).

        Raises:
            LLMError: None is set and ``required``.
        """
        env = os.environ if environ is None else environ
        key = api_key(cls.key_variable, env)
        if key is None and required:
            raise LLMError(f"no API key: set ECO_LLM_API_KEY or {cls.key_variable}")
        return key

    def complete(self, prompt: Prompt, n: int, temperature: float, max_tokens: int) -> Completion:
        texts: list[str] = []
        input_tokens = output_tokens = 0
        while len(texts) < n:
            k = n - len(texts) if self.per_request is None else min(self.per_request, n - len(texts))
            kwargs: dict[str, Any] = {} if self._sleep is None else {"sleep": self._sleep}

            def call(k: int = k) -> Completion:
                return self._request(prompt, k, temperature, max_tokens)

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
            if not one.texts:
                break  # a service that returns nothing would loop forever
        return Completion(tuple(texts), input_tokens, output_tokens)

    def _request(self, prompt: Prompt, k: int, temperature: float, max_tokens: int) -> Completion:
        raise NotImplementedError

    def _classify(self, exc: Exception) -> Retryable | None:
        """Rate limits (429), server errors (5xx, Anthropic's 529) and lost connections
        (timeouts included) are worth another try; anything else is the request's fault."""
        sdk = self._sdk
        if isinstance(exc, sdk.APIStatusError):
            if exc.status_code == 429 or exc.status_code >= 500:
                return Retryable(exc, parse_retry_after(exc.response.headers))
            return None
        if isinstance(exc, sdk.APIConnectionError):  # includes APITimeoutError
            return Retryable(exc, None)
        return None

    def _describe(self, exc: Exception) -> str:
        status = getattr(exc, "status_code", None)
        where = f"HTTP {status}" if status is not None else type(exc).__name__
        text = f"{self.name} {self.model}: {where}: {exc}"
        return text.replace(self._key, "***")
