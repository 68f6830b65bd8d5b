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
class Lineage:
    """One candidate an LLM drafter proposed for a function, and how far it got."""

    #: ``c1``, ``c2``... in the order the candidates were proposed.
    id: str
    #: ``sample 2 of 5``, ``repair of c1 after: <why> (sample 1 of 2)``,
    #: ``refinement of c3 (verified at 1.40x)``.
    origin: str
    #: The candidate it was derived from (a repair's or a refinement's), else None.
    parent: str | None
    #: The last stage it reached: ``parse`` (refused before verification), a verifier
    #: stage (``tests``, ``replay``, ``benchmark``...), or ``review``.
    stage: str
    #: ``verified``, ``rejected``, or ``refused`` (never verified: did not parse, edits
    #: outside the target, a duplicate...).
    status: str
    reason: str = ""
    speedup: float | None = None
    #: Lines the patch adds or removes: the measure of how conservative it is.
    changed_lines: int = 0
    #: Why it was picked, for the one that was; empty for the others.
    picked: str = ""


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
    #: Every candidate an LLM drafter proposed, in order (empty for recipes).
    lineage: tuple[Lineage, ...] = ()


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
