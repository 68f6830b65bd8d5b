from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# The draft tests' helpers (_draft_helpers.make_target) live one folder up.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _llm_servers import LLMServer

KEY = "sk-test-eco-0123456789"


@pytest.fixture
def openai_server() -> Iterator[LLMServer]:
    server = LLMServer("openai", KEY).start()
    yield server
    server.stop()


@pytest.fixture
def anthropic_server() -> Iterator[LLMServer]:
    server = LLMServer("anthropic", KEY).start()
    yield server
    server.stop()
