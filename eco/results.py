"""The records the pipeline hands to the surfaces and to the publish stage."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from eco.code.records import Target
from eco.draft.records import Candidate
from eco.index.records import Precedent
from eco.profile.records import HotFunction, Profile
from eco.verify.records import Status, Verdict


@dataclass(frozen=True)
class FunctionResult:
    """What happened to one hot function."""

    hot: HotFunction
    status: Status
    reason: str = ""
    target: Target | None = None
    #: The candidate the verdict is about (the verified one, or the last one tried).
    candidate: Candidate | None = None
    verdict: Verdict | None = None
    #: How many candidates were drafted and verified.
    tried: int = 0
    #: The index's closest precedents for the target, best first (eco.index).
    precedents: tuple[Precedent, ...] = ()


@dataclass(frozen=True)
class SuggestResult:
    """The outcome of one `suggest` run."""

    root: Path
    workload: str
    profile: Profile
    results: tuple[FunctionResult, ...]
    warnings: tuple[str, ...] = field(default_factory=tuple)
    #: What an LLM drafter spent (calls, retries, cache hits, tokens, the budget); None for recipes.
    llm_usage: dict[str, int] | None = None
