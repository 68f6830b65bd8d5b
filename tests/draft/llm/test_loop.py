"""ECO's loop for one target: every sample verified, repair, refinement, the conservative pick,
self-review, and the lineage of every candidate.

The model is the real openai SDK against the loopback server. The verifier here is a small
real one: it runs the candidate's function on fixed inputs against the original (a
mismatch rejects it), and takes the speed-up from a table, because what is tested is the
loop's decisions given speed-ups, not the benchmark (tests/verify and the end-to-end tests
run the real one).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from _draft_helpers import dedent, make_target
from _llm_servers import LLMServer
from conftest import KEY

from eco.draft.llm import Budget, LLMDrafter, LLMSettings, ResponseCache
from eco.draft.llm.loop import LoopSettings, Tried, changed_size, improve, pick_conservative
from eco.draft.llm.openai import OpenAIBackend
from eco.draft.records import Candidate
from eco.verify.records import Benchmark, StageResult, Verdict

MODULE = dedent('''
    def common(left, right):
        out = []
        for item in left:
            if item in right:
                out.append(item)
        return out
''')

SMALL = dedent('''
    def common(left, right):
        out = []
        wanted = set(right)
        for item in left:
            if item in wanted:
                out.append(item)
        return out
''')
BIG = dedent('''
    def common(left, right):
        wanted = set(right)
        return [item for item in left if item in wanted]
''')
REFINED = dedent('''
    def common(left, right):
        wanted = frozenset(right)
        keep = wanted.__contains__
        return [item for item in left if keep(item)]
''')
WRONG = dedent('''
    def common(left, right):
        return sorted(set(left) & set(right))
''')
SPEED = {SMALL.strip(): 1.45, BIG.strip(): 1.50, REFINED.strip(): 1.52}
INPUTS = [([1, 2, 2, 3], [2, 3, 4]), ([], [1]), ([3, 1, 3], [3, 1])]


def fence(code: str) -> str:
    return f"```python\n{code}```"


def real_enough_verifier(calls: list[str]) -> Callable[[Candidate], Verdict]:
    original: dict[str, Any] = {}
    exec(MODULE, original)

    def verify(candidate: Candidate) -> Verdict:
        calls.append(candidate.new_source)
        space: dict[str, Any] = {}
        exec(candidate.new_file_source, space)
        for left, right in INPUTS:
            if space["common"](left, right) != original["common"](left, right):
                return Verdict("rejected", f"equivalence: common({left}, {right}) differs",
                               stages=(StageResult("tests", True, ""), StageResult("equivalence", False, "")))
        speedup = SPEED.get(candidate.new_source.strip(), 1.0)
        bench = Benchmark(1.0, 1.0 / speedup, speedup, (speedup - 0.01, speedup + 0.01), True, 1.1)
        stages = (StageResult("tests", True, ""), StageResult("equivalence", True, ""),
                  StageResult("benchmark", speedup >= 1.1, ""))
        if speedup < 1.1:
            return Verdict("rejected", "benchmark: not faster", stages=stages, benchmark=bench)
        return Verdict("verified", "", stages=stages, benchmark=bench)

    return verify


def kind(body: dict[str, Any]) -> str:
    text = body["messages"][-1]["content"]
    if "review performance patches" in body["messages"][0]["content"]:
        return "review"
    if "rejected by eco's verifier" in text:
        return "repair"
    if "passed eco's verifier" in text:
        return "refine"
    return "draft"


def drafter_for(server: LLMServer, tmp_path: Path, samples: int = 4) -> LLMDrafter:
    settings = LLMSettings("openai", "gpt-test", base_url=server.base_url, samples=samples)
    backend = OpenAIBackend("gpt-test", Budget(), base_url=server.base_url, environ={"ECO_LLM_API_KEY": KEY})
    return LLMDrafter(backend, settings, ResponseCache(tmp_path / "cache"))


def test_every_sample_verified_best_refined_smallest_fast_one_picked(openai_server: LLMServer,
                                                                      tmp_path: Path) -> None:
    replies = {"draft": [fence(BIG), fence(SMALL), fence(WRONG), "I cannot help"], "refine": [fence(REFINED)],
               "review": ["1. yes\nVERDICT: PASS"]}
    openai_server.reply = lambda body: replies[kind(body)]
    llm = drafter_for(openai_server, tmp_path)
    target = make_target(MODULE)
    verified: list[str] = []
    outcome = improve(llm, target, llm.draft(target), real_enough_verifier(verified), LoopSettings())
    assert openai_server.problems == []
    # Every parsed sample was verified, then the refinement; the refused one never was.
    assert [s.strip() for s in verified] == [BIG.strip(), SMALL.strip(), WRONG.strip(), REFINED.strip()]
    asked = [kind(r.body) for r in openai_server.requests]
    assert asked == ["draft", "refine", "review"]  # a verified candidate exists: no repair
    refine_prompt = openai_server.requests[1].body["messages"][1]["content"]
    assert "at 1.50x the original's speed" in refine_prompt and "return [item for item in left" in refine_prompt
    # The fastest is REFINED (1.52x); SMALL (1.45x) is within 5% of it and the smallest change.
    assert outcome.picked is not None and outcome.picked.candidate.new_source.strip() == SMALL.strip()
    review_prompt = openai_server.requests[2].body["messages"][1]["content"]
    assert "+    wanted = set(right)" in review_prompt
    rows = [(c.id, c.origin, c.parent, c.stage, c.status, c.speedup) for c in outcome.lineage]
    assert rows == [
        ("c1", "sample 1 of 4", None, "benchmark", "verified", 1.50),
        ("c2", "sample 2 of 4", None, "benchmark", "verified", 1.45),
        ("c3", "sample 3 of 4", None, "equivalence", "rejected", None),
        ("c4", "sample 4 of 4", None, "parse", "refused", None),
        ("c5", "refinement of c1 (verified at 1.50x)", "c1", "benchmark", "verified", 1.52),
    ]
    (picked,) = [c for c in outcome.lineage if c.picked]
    assert picked.id == "c2"
    assert "within 5% of the fastest (c5: 1.52x" in picked.picked
    assert picked.changed_lines == changed_size(outcome.picked.candidate)[0] == 3
    assert "differs" in outcome.lineage[2].reason
    assert "no definition of common" in outcome.lineage[3].reason


def test_zero_tolerance_picks_the_fastest(openai_server: LLMServer, tmp_path: Path) -> None:
    replies = {"draft": [fence(BIG), fence(SMALL)], "refine": [fence(REFINED)], "review": ["VERDICT: PASS"]}
    openai_server.reply = lambda body: replies[kind(body)]
    llm = drafter_for(openai_server, tmp_path, samples=2)
    target = make_target(MODULE)
    outcome = improve(llm, target, llm.draft(target), real_enough_verifier([]), LoopSettings(tolerance=0.0))
    assert outcome.picked is not None and outcome.picked.candidate.new_source.strip() == REFINED.strip()
    assert "the fastest of 3 verified candidates (1.52x" in next(c.picked for c in outcome.lineage if c.picked)


def test_rejected_candidates_are_repaired_with_the_reason(openai_server: LLMServer, tmp_path: Path) -> None:
    replies = {"draft": [fence(WRONG)], "repair": [fence(SMALL)], "refine": [fence(SMALL)],
               "review": ["VERDICT: PASS"]}
    openai_server.reply = lambda body: replies[kind(body)]
    llm = drafter_for(openai_server, tmp_path, samples=1)
    target = make_target(MODULE)
    outcome = improve(llm, target, llm.draft(target), real_enough_verifier([]), LoopSettings(repairs=2))
    asked = [kind(r.body) for r in openai_server.requests]
    assert asked == ["draft", "repair", "refine", "review"]
    repair_prompt = openai_server.requests[1].body["messages"][1]["content"]
    assert "return sorted(set(left) & set(right))" in repair_prompt and "differs" in repair_prompt
    rows = [(c.id, c.parent, c.status) for c in outcome.lineage]
    # The refinement answered the repaired version unchanged: a duplicate, refused, never re-verified.
    assert rows == [("c1", None, "rejected"), ("c2", "c1", "verified"), ("c3", "c2", "refused")]
    assert outcome.lineage[1].origin.startswith("repair of c1 after: equivalence: common(")
    assert outcome.lineage[2].reason == "duplicate of an earlier candidate"
    assert outcome.picked is not None and outcome.picked.id == "c2"
    assert outcome.lineage[1].picked.startswith("the only verified candidate (1.45x")


def test_failed_review_blocks_the_pick_and_says_so(openai_server: LLMServer, tmp_path: Path) -> None:
    replies = {"draft": [fence(SMALL)], "refine": ["no faster version"],
               "review": ["2. no\nVERDICT: FAIL: unhashable items now raise"]}
    openai_server.reply = lambda body: replies[kind(body)]
    llm = drafter_for(openai_server, tmp_path, samples=1)
    target = make_target(MODULE)
    outcome = improve(llm, target, llm.draft(target), real_enough_verifier([]), LoopSettings())
    assert outcome.picked is None
    assert outcome.review_failure == "self-review failed: unhashable items now raise"
    assert outcome.last is not None and outcome.last.id == "c1"
    c1 = outcome.lineage[0]
    assert (c1.stage, c1.status, c1.picked) == ("review", "rejected", "")


def test_pick_conservative_alone() -> None:
    target = make_target(MODULE)

    def tried(ident: str, source: str, speedup: float, changed: int) -> Tried:
        candidate = Candidate(target, source, source, "+x\n" * changed, "openai", None, "")
        bench = Benchmark(1.0, 1.0 / speedup, speedup, (speedup, speedup), True, 1.1)
        return Tried(ident, candidate, "sample", None, Verdict("verified", "", benchmark=bench))

    assert pick_conservative([], 0.05) is None
    fast, small = tried("a", BIG, 2.0, 5), tried("b", SMALL, 1.91, 3)
    pick, why = pick_conservative([fast, small], 0.05)  # type: ignore[misc]
    assert pick is small and "within 5% of the fastest (a: 2.00x" in why
    pick, why = pick_conservative([fast, small], 0.04)  # type: ignore[misc]
    assert pick is fast and "no other within 4% of it" in why


@pytest.mark.parametrize("bad", [-0.1, 1.0, "5%"])
def test_tolerance_setting_is_checked(tmp_path: Path, bad: object) -> None:
    from eco.config import load_config
    from eco.errors import ConfigError

    with pytest.raises(ConfigError, match="llm_pick_tolerance"):
        load_config(tmp_path, {"llm_pick_tolerance": bad})
