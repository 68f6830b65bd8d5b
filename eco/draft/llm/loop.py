"""The LLM loop for one target, as ECO runs it: sample, verify, repair, refine, pick, review.

Every sampled candidate is verified (not just the first that passes), so that the pick can
be the most conservative of the fast ones. Rejected candidates go back to the model with
the verifier's reason (repair, ``repairs`` rounds); the fastest verified ones go back once
to be made faster still (refinement); whatever the model answers is verified like any
other candidate. Among the verified, the pick is the smallest change (fewest changed lines,
then the smallest change in AST size) whose speedup is within ``tolerance`` of the fastest:
a reviewer prefers a two-line fix at 1.38x to a rewrite at 1.41x. The pick then faces the
model's self-review. Every candidate, refused ones included, is kept in the lineage.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from eco.code.records import Target
from eco.draft.llm.drafter import LLMDraft, LLMDrafter
from eco.draft.llm.prompts import PrecedentLike
from eco.draft.records import Candidate
from eco.results import Lineage
from eco.verify.records import Verdict

__all__ = ["LoopSettings", "Outcome", "Tried", "changed_size", "improve", "pick_conservative"]


@dataclass(frozen=True)
class LoopSettings:
    #: Rounds of repair while no candidate is verified (0: none).
    repairs: int = 1
    #: How many of the fastest verified candidates go back once for refinement (0: none).
    refinements: int = 1
    #: The pick may be this much slower than the fastest verified candidate (0.05: 5%).
    tolerance: float = 0.05
    #: Ask the model to review the pick (ECO's self-review gate).
    review: bool = True


@dataclass(frozen=True)
class Tried:
    """A candidate that went through the verifier."""

    id: str
    candidate: Candidate
    origin: str
    parent: str | None
    verdict: Verdict

    @property
    def speedup(self) -> float:
        return self.verdict.speedup or 0.0


@dataclass
class Outcome:
    """What the loop decided for one target."""

    #: The verified, reviewed pick; None when nothing survived.
    picked: Tried | None = None
    #: The candidate the result reports when nothing survived (the last one verified).
    last: Tried | None = None
    #: Set when the pick failed its review: the result is rejected with this reason.
    review_failure: str = ""
    lineage: list[Lineage] = field(default_factory=list)
    #: Candidates verified (repairs and refinements included).
    verified_count: int = 0
    #: The model's reasons when it proposed nothing usable at all.
    notes: list[str] = field(default_factory=list)


def changed_size(candidate: Candidate) -> tuple[int, int]:
    """How big a change is: lines the patch adds or removes, then the change in AST size."""
    lines = sum(
        1
        for line in candidate.patch.splitlines()
        if line[:1] in "+-" and not line.startswith(("+++ ", "--- "))
    )
    try:
        before = sum(1 for _ in ast.walk(ast.parse(candidate.target.file_source)))
        after = sum(1 for _ in ast.walk(ast.parse(candidate.new_file_source)))
    except SyntaxError:
        return lines, 1 << 30
    return lines, abs(after - before)


def pick_conservative(verified: Sequence[Tried], tolerance: float) -> tuple[Tried, str] | None:
    """The smallest change within ``tolerance`` of the fastest verified candidate, and why."""
    if not verified:
        return None
    fastest = max(verified, key=lambda t: t.speedup)
    floor = fastest.speedup * (1.0 - tolerance)
    eligible = [t for t in verified if t.speedup >= floor]
    pick = min(eligible, key=lambda t: (changed_size(t.candidate), verified.index(t)))
    lines = changed_size(pick.candidate)[0]
    if len(verified) == 1:
        return pick, f"the only verified candidate ({pick.speedup:.2f}x, {lines} changed lines)"
    if pick is fastest:
        others = len(eligible) - 1
        tail = (
            f"; {others} other(s) within {tolerance:.0%} are no smaller"
            if others
            else f"; no other within {tolerance:.0%} of it"
        )
        return pick, (
            f"the fastest of {len(verified)} verified candidates ({pick.speedup:.2f}x, "
            f"{lines} changed lines){tail}"
        )
    return pick, (
        f"the smallest change ({lines} changed lines, {pick.speedup:.2f}x) among "
        f"{len(eligible)} verified candidates within {tolerance:.0%} of the fastest "
        f"({fastest.id}: {fastest.speedup:.2f}x, {changed_size(fastest.candidate)[0]} changed lines)"
    )


def improve(
    llm: LLMDrafter,
    target: Target,
    first: LLMDraft,
    verify: Callable[[Candidate], Verdict],
    settings: LoopSettings,
    *,
    precedents: Sequence[PrecedentLike] = (),
    findings: Sequence[str] = (),
    progress: Callable[[str], None] = lambda _m: None,
) -> Outcome:
    """Run the loop for ``target`` from its first draft; ``verify`` runs the verifier."""
    out = Outcome()
    tried: list[Tried] = []
    proposed: list[Candidate] = []
    counter = 0

    def take(draft: LLMDraft, parent: str | None) -> None:
        nonlocal counter
        if draft.error:
            out.notes.append(draft.error)
        for origin, candidate, reason in draft.proposals:
            counter += 1
            ident = f"c{counter}"
            if candidate is None:
                out.lineage.append(Lineage(ident, origin, parent, "parse", "refused", reason))
                continue
            proposed.append(candidate)
            progress(f"verifying {target.qualname}: {ident} ({origin})")
            verdict = verify(candidate)
            one = Tried(ident, candidate, origin, parent, verdict)
            tried.append(one)
            out.last = one
            out.verified_count += 1
            out.lineage.append(
                Lineage(
                    ident,
                    origin,
                    parent,
                    verdict.stages[-1].name if verdict.stages else "verify",
                    verdict.status,
                    verdict.reason,
                    verdict.speedup,
                    changed_size(candidate)[0],
                )
            )

    take(first, None)
    repaired: set[str] = set()
    for _round in range(settings.repairs):
        if any(t.verdict.status == "verified" for t in tried):
            break
        # The rejected candidate that got furthest through the verifier, latest first.
        failed = [t for t in tried if t.verdict.status == "rejected" and t.id not in repaired]
        if not failed:
            break
        worst_first = sorted(failed, key=lambda t: (len(t.verdict.stages), tried.index(t)))
        victim = worst_first[-1]
        repaired.add(victim.id)
        progress(f"asking {llm.backend.model} to repair {victim.id}: {victim.verdict.reason[:80]}")
        take(
            llm.repair(target, victim.candidate, victim.verdict.reason, precedents, findings,
                       tried=proposed, parent=victim.id),
            victim.id,
        )

    verified = [t for t in tried if t.verdict.status == "verified"]
    best = sorted(verified, key=lambda t: -t.speedup)[: settings.refinements]
    for parent in best:
        progress(f"asking {llm.backend.model} to refine {parent.id} ({parent.speedup:.2f}x)")
        take(
            llm.refine(target, parent.candidate, parent.speedup, precedents, findings,
                       tried=proposed, parent=parent.id),
            parent.id,
        )

    verified = [t for t in tried if t.verdict.status == "verified"]
    choice = pick_conservative(verified, settings.tolerance)
    if choice is None:
        return out
    pick, why = choice
    if settings.review:
        progress(f"asking {llm.backend.model} to review {pick.id} of {target.qualname}")
        passed, failure = llm.review(target, pick.candidate)
        if not passed:
            out.review_failure = failure
            out.last = pick
            _mark(out, pick.id, stage="review", status="rejected", reason=failure)
            return out
    out.picked = pick
    _mark(out, pick.id, picked=why)
    return out


def _mark(
    out: Outcome, ident: str, *, stage: str = "", status: str = "", reason: str = "", picked: str = ""
) -> None:
    from dataclasses import replace

    out.lineage = [
        replace(
            r,
            stage=stage or r.stage,
            status=status or r.status,
            reason=reason or r.reason,
            picked=picked,
        )
        if r.id == ident
        else r
        for r in out.lineage
    ]
