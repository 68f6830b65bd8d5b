"""The result document (`eco suggest --json`), exactly as DESIGN.md specifies it.

Format history: 0.1.0 — first version; then ``lineage`` added to each result (every
candidate an LLM drafter proposed: origin, stage reached, verdict, why the pick was picked;
empty for recipes).
"""

from __future__ import annotations

from typing import Any

from eco import __version__
from eco.results import FunctionResult, SuggestResult


def result_entry(result: FunctionResult) -> dict[str, Any]:
    """One entry of ``results``."""
    verdict = result.verdict
    candidate = result.candidate
    bench = verdict.benchmark if verdict else None
    tests = verdict.tests if verdict else None
    equivalence = verdict.equivalence if verdict else None
    antipattern = candidate.antipattern if candidate else (
        result.target.antipatterns[0] if result.target and result.target.antipatterns else None
    )
    return {
        "file": result.hot.file,
        "qualname": result.hot.qualname,
        "status": result.status,
        "reason": result.reason,
        "profile_share": round(result.hot.share, 6),
        "antipattern": antipattern,
        "drafter": candidate.drafter if candidate else None,
        "precedents": [{"repo": p.repo, "sha": p.sha, "score": round(p.score, 4), "category": p.category or
                        ",".join(p.antipatterns)} for p in result.precedents],
        "tests": {"command": tests.command, "passed": tests.passed, "failed": tests.failed + tests.errors}
        if tests else None,
        "equivalence": equivalence.as_json() if equivalence else None,
        "speedup": round(bench.speedup, 4) if bench else None,
        "ci95": [round(bench.ci95[0], 4), round(bench.ci95[1], 4)] if bench else None,
        "patch": candidate.patch if candidate else None,
        "stages": [{"name": s.name, "ok": s.ok, "detail": s.detail} for s in verdict.stages] if verdict else [],
        "notes": list(verdict.notes) if verdict else [],
        "lineage": [{"id": c.id, "origin": c.origin, "parent": c.parent, "stage": c.stage, "status": c.status,
                     "reason": c.reason, "speedup": round(c.speedup, 4) if c.speedup is not None else None,
                     "changed_lines": c.changed_lines, "picked": c.picked or None} for c in result.lineage],
    }


def result_document(result: SuggestResult) -> dict[str, Any]:
    """The whole document: version, repository, workload, one entry per hot function."""
    document: dict[str, Any] = {
        "eco_version": __version__,
        "repo": str(result.root),
        "workload": result.workload,
        "results": [result_entry(r) for r in result.results],
    }
    if result.llm_usage is not None:
        document["llm"] = dict(result.llm_usage)
    return document
