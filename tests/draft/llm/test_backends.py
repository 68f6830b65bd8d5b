"""The real openai and anthropic SDKs against loopback servers speaking their wire formats."""

from __future__ import annotations

from pathlib import Path

import pytest
from _draft_helpers import make_target
from _llm_servers import LLMServer
from conftest import KEY

from eco.draft.llm import (
    Budget,
    BudgetExhausted,
    LLMDrafter,
    LLMError,
    LLMSettings,
    Prompt,
    ResponseCache,
)
from eco.draft.llm.anthropic import AnthropicBackend
from eco.draft.llm.openai import OpenAIBackend

ENV = {"ECO_LLM_API_KEY": KEY}
PROMPT = Prompt(system="be fast", user="make it faster")
MODULE = "def total(xs):\n    s = 0\n    for x in xs:\n        s += x\n    return s\n"
GOOD = "```python\ndef total(xs):\n    return sum(xs)\n```"


def no_sleep(waits: list[float]):  # type: ignore[no-untyped-def]
    return waits.append


def test_openai_request_as_the_service_sees_it(openai_server: LLMServer) -> None:
    openai_server.script = [("texts", ["a", "b"])]
    budget = Budget()
    backend = OpenAIBackend("gpt-test", budget, base_url=openai_server.base_url, environ=ENV)
    completion = backend.complete(PROMPT, n=2, temperature=0.3, max_tokens=64)
    assert completion.texts == ("a", "b")
    assert openai_server.problems == []
    (request,) = openai_server.requests
    assert request.path == "/v1/chat/completions"
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert request.body["model"] == "gpt-test"
    assert request.body["messages"] == [{"role": "system", "content": "be fast"},
                                        {"role": "user", "content": "make it faster"}]
    assert (request.body["n"], request.body["temperature"], request.body["max_tokens"]) == (2, 0.3, 64)
    assert (budget.calls, budget.input_tokens, budget.output_tokens) == (1, 100, 40)


def test_anthropic_request_as_the_service_sees_it(anthropic_server: LLMServer) -> None:
    anthropic_server.script = [("texts", ["one"]), ("texts", ["two"])]
    budget = Budget()
    backend = AnthropicBackend("claude-test", budget, base_url=anthropic_server.base_url, environ=ENV)
    completion = backend.complete(PROMPT, n=2, temperature=0.3, max_tokens=64)
    assert completion.texts == ("one", "two")
    assert anthropic_server.problems == []
    assert len(anthropic_server.requests) == 2
    request = anthropic_server.requests[0]
    assert request.path == "/v1/messages"
    assert KEY in (request.headers.get("x-api-key"), request.headers.get("authorization", "")[7:])
    assert request.headers["anthropic-version"]
    assert request.body["system"] == "be fast"
    assert request.body["messages"] == [{"role": "user", "content": "make it faster"}]
    assert (request.body["model"], request.body["max_tokens"]) == ("claude-test", 64)
    assert "temperature" not in request.body  # anthropic 2.x SDKs no longer send one
    assert (budget.calls, budget.tokens) == (2, 240)


def test_openai_streamed_completion_counts_tokens_from_the_usage_chunk(openai_server: LLMServer) -> None:
    long = "def total(xs):\n    return sum(xs)  # streamed in many small pieces\n"
    openai_server.script = [("texts", [long, "second answer"])]
    budget = Budget()
    backend = OpenAIBackend("gpt-test", budget, base_url=openai_server.base_url, environ=ENV, stream=True)
    completion = backend.complete(PROMPT, n=2, temperature=0.3, max_tokens=64)
    assert completion.texts == (long, "second answer")
    assert openai_server.problems == []
    (request,) = openai_server.requests
    assert request.body["stream"] is True
    assert request.body["stream_options"] == {"include_usage": True}
    assert (budget.calls, budget.input_tokens, budget.output_tokens) == (1, 100, 40)
    assert (completion.input_tokens, completion.output_tokens) == (100, 40)


def test_anthropic_streamed_message_counts_tokens_from_its_events(anthropic_server: LLMServer) -> None:
    long = "def total(xs):\n    return sum(xs)  # streamed as text_delta events\n"
    anthropic_server.script = [("texts", [long]), ("texts", ["two"])]
    budget = Budget()
    backend = AnthropicBackend("claude-test", budget, base_url=anthropic_server.base_url, environ=ENV,
                               stream=True)
    completion = backend.complete(PROMPT, n=2, temperature=0.3, max_tokens=64)
    assert completion.texts == (long, "two")
    assert anthropic_server.problems == []
    assert [r.body["stream"] for r in anthropic_server.requests] == [True, True]
    # input from message_start, output from message_delta (not message_start's placeholder 1)
    assert (budget.calls, budget.input_tokens, budget.output_tokens) == (2, 200, 40)


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
@pytest.mark.parametrize("kind", ["openai", "anthropic"])
def test_429_honours_retry_after_and_5xx_backs_off(kind: str, stream: bool, openai_server: LLMServer,
                                                   anthropic_server: LLMServer) -> None:
    server = openai_server if kind == "openai" else anthropic_server
    server.script = [("error", (429, {"retry-after": "7"})), ("error", (503, {})), ("texts", ["ok"])]
    waits: list[float] = []
    budget = Budget()
    cls = OpenAIBackend if kind == "openai" else AnthropicBackend
    backend = cls("m", budget, base_url=server.base_url, environ=ENV, sleep=waits.append, stream=stream)
    assert backend.complete(PROMPT, 1, 0.3, 16).texts == ("ok",)
    assert all(r.body.get("stream", False) is stream for r in server.requests)
    assert waits[0] == 7.0
    assert 0 < waits[1] <= 1.0  # exponential backoff with jitter, base 0.5 s
    assert (budget.calls, budget.retries) == (3, 2)


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
@pytest.mark.parametrize("kind", ["openai", "anthropic"])
def test_persistent_errors_give_up_without_leaking_the_key(kind: str, stream: bool, openai_server: LLMServer,
                                                          anthropic_server: LLMServer) -> None:
    server = openai_server if kind == "openai" else anthropic_server
    server.script = [("error", (500, {}))] * 4
    cls = OpenAIBackend if kind == "openai" else AnthropicBackend
    backend = cls("m", Budget(), base_url=server.base_url, environ=ENV, sleep=lambda _s: None, stream=stream)
    with pytest.raises(LLMError, match="gave up after 4 attempts") as info:
        backend.complete(PROMPT, 1, 0.3, 16)
    assert KEY not in str(info.value)


@pytest.mark.parametrize("kind", ["openai", "anthropic"])
def test_wrong_key_is_not_retried(kind: str, openai_server: LLMServer, anthropic_server: LLMServer) -> None:
    server = openai_server if kind == "openai" else anthropic_server
    cls = OpenAIBackend if kind == "openai" else AnthropicBackend
    budget = Budget()
    env = {"ECO_LLM_API_KEY": "sk-wrong-key-000"}
    backend = cls("m", budget, base_url=server.base_url, environ=env, sleep=lambda _s: None)
    with pytest.raises(LLMError, match="401") as info:
        backend.complete(PROMPT, 1, 0.3, 16)
    assert "sk-wrong-key-000" not in str(info.value)
    assert budget.calls == 1


def test_provider_variable_is_the_fallback(openai_server: LLMServer, anthropic_server: LLMServer) -> None:
    OpenAIBackend("m", Budget(), base_url=openai_server.base_url, environ={"OPENAI_API_KEY": KEY}).complete(
        PROMPT, 1, 0.3, 16)
    AnthropicBackend("m", Budget(), base_url=anthropic_server.base_url,
                     environ={"ANTHROPIC_API_KEY": KEY}).complete(PROMPT, 1, 0.3, 16)
    assert openai_server.problems == anthropic_server.problems == []
    with pytest.raises(LLMError, match="ANTHROPIC_API_KEY"):
        AnthropicBackend("m", Budget(), base_url=anthropic_server.base_url, environ={})
    with pytest.raises(LLMError, match="OPENAI_API_KEY"):
        OpenAIBackend("m", Budget(), environ={})


def test_budget_stops_calls(openai_server: LLMServer) -> None:
    budget = Budget(max_calls=1)
    backend = OpenAIBackend("m", budget, base_url=openai_server.base_url, environ=ENV)
    backend.complete(PROMPT, 1, 0.3, 16)
    with pytest.raises(BudgetExhausted, match="1 of 1 calls"):
        backend.complete(PROMPT, 1, 0.3, 16)
    assert len(openai_server.requests) == 1
    tokens = Budget(max_tokens=50)
    backend = OpenAIBackend("m", tokens, base_url=openai_server.base_url, environ=ENV)
    backend.complete(PROMPT, 1, 0.3, 16)
    with pytest.raises(BudgetExhausted, match="tokens"):
        backend.complete(PROMPT, 1, 0.3, 16)


def test_drafter_samples_dedupes_and_caches(openai_server: LLMServer, tmp_path: Path) -> None:
    same_again = "def total(xs):\n    return sum(xs)  # same AST\n"
    other = "```python\ndef total(xs):\n    return sum(x for x in xs)\n```"
    openai_server.script = [("texts", [GOOD, same_again, "no idea", other, "def total(xs):\n  return (("])]
    settings = LLMSettings("openai", "gpt-test", base_url=openai_server.base_url)
    budget = Budget()
    cache = ResponseCache(tmp_path / "cache")
    drafter = LLMDrafter(OpenAIBackend("gpt-test", budget, base_url=openai_server.base_url, environ=ENV),
                         settings, cache)
    target = make_target(MODULE)
    draft = drafter.draft(target)
    assert [c.new_source for c in draft.candidates] == ["def total(xs):\n    return sum(xs)",
                                                        "def total(xs):\n    return sum(x for x in xs)"]
    assert all(c.drafter == "openai" and c.patch.startswith("--- a/pkg/mod.py\n+++ b/pkg/mod.py\n")
               for c in draft.candidates)
    assert len(draft.refusals) == 3
    assert openai_server.requests[0].body["n"] == 5
    assert openai_server.requests[0].body["temperature"] == 0.3
    again = drafter.draft(target)
    assert [c.patch for c in again.candidates] == [c.patch for c in draft.candidates]
    assert len(openai_server.requests) == 1
    assert (budget.calls, budget.cache_hits) == (1, 1)


def test_drafter_reports_service_failure(openai_server: LLMServer) -> None:
    openai_server.script = [("error", (400, {}))]
    settings = LLMSettings("openai", "m")
    backend = OpenAIBackend("m", Budget(), base_url=openai_server.base_url, environ=ENV)
    draft = LLMDrafter(backend, settings).draft(make_target(MODULE))
    assert draft.candidates == [] and draft.error and "HTTP 400" in draft.error
