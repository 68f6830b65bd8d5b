"""LLM drafting: prompts from a target and its precedents, a model backend, checked output.

Backends (`openai`, `anthropic`: the ``llm`` extra; `llama`, a local GGUF model: the
``local`` extra) import their SDK only when built, so eco imports and runs without them.
Entry: `LLMDrafter`; the loop that verifies, repairs, refines, picks and reviews one
target's candidates is `eco.draft.llm.loop.improve` (imported by the pipeline only).
"""

from eco.draft.llm.backend import Backend, Budget, BudgetExhausted, Completion, LLMError, Prompt
from eco.draft.llm.cache import ResponseCache
from eco.draft.llm.drafter import BACKENDS, LLMDraft, LLMDrafter, LLMSettings, make_backend
from eco.draft.llm.parse import Edit, Refusal, parse_response
from eco.draft.llm.prompts import STRATEGIES, Precedent, build_prompt

__all__ = [
    "BACKENDS",
    "STRATEGIES",
    "Backend",
    "Budget",
    "BudgetExhausted",
    "Completion",
    "Edit",
    "LLMDraft",
    "LLMDrafter",
    "LLMError",
    "LLMSettings",
    "Precedent",
    "Prompt",
    "Refusal",
    "ResponseCache",
    "build_prompt",
    "make_backend",
    "parse_response",
]
