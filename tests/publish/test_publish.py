"""The report, the JSON document and --apply, from plain result records."""

from __future__ import annotations

import difflib
import io
import json
from pathlib import Path

import pytest
from rich.console import Console

from eco.code.records import Target
from eco.draft.records import Candidate
from eco.errors import ApplyError
from eco.profile.records import HotFunction, Profile
from eco.publish import apply_verified, render_report, result_document
from eco.results import FunctionResult, SuggestResult
from eco.verify.records import Benchmark, Equivalence, StageResult, TestRun, Verdict
from tests.conftest import MakeRepo, git

OLD = "def f(xs):\n    return any([x > 1 for x in xs])\n"
NEW = "def f(xs):\n    return any(x > 1 for x in xs)\n"


def _result(root: Path) -> SuggestResult:
    patch = "".join(difflib.unified_diff(OLD.splitlines(True), NEW.splitlines(True), "a/pkg/m.py", "b/pkg/m.py"))
    hot = HotFunction("pkg/m.py", "f", 1, 0.5, 0.6, 0.42, 10)
    idle = HotFunction("pkg/m.py", "g", 9, 0.1, 0.1, 0.08, 3)
    target = Target(hot, "pkg/m.py", "f", (0, len(OLD)), (1, 2), OLD, OLD, ("materialized-list-in-any-all",), 5)
    candidate = Candidate(target, NEW, NEW, patch, "recipes", "materialized-list-in-any-all", "generator stops early")
    verdict = Verdict(
        status="verified", reason="",
        stages=(StageResult("compile", True, "ok"), StageResult("benchmark", True, "3.00x")),
        tests=TestRun("python -m pytest -q", passed=7, failed=0),
        equivalence=Equivalence(inputs=5, mismatches=0, uncapturable=1),
        benchmark=Benchmark(3e-3, 1e-3, 3.0, (2.8, 3.2), True, 1.1, 16, 16),
    )
    results = (
        FunctionResult(hot, "verified", "", target, candidate, verdict, 1),
        FunctionResult(idle, "no-candidate", "no known anti-pattern in this function"),
    )
    return SuggestResult(root, "python w.py", Profile((hot, idle), 1.2, "w.prof", 0.5), results)


def test_document_follows_the_contract(tmp_path: Path) -> None:
    document = json.loads(json.dumps(result_document(_result(tmp_path))))
    assert document["eco_version"] == "0.1.0"
    assert document["workload"] == "python w.py"
    first, second = document["results"]
    assert first["file"] == "pkg/m.py" and first["qualname"] == "f"
    assert first["status"] == "verified" and first["reason"] == ""
    assert first["profile_share"] == 0.42
    assert first["antipattern"] == "materialized-list-in-any-all"
    assert first["drafter"] == "recipes"
    assert first["tests"] == {"command": "python -m pytest -q", "passed": 7, "failed": 0}
    assert first["equivalence"] == {"inputs": 5, "mismatches": 0, "uncapturable": 1, "derived": 0}
    assert first["speedup"] == 3.0 and first["ci95"] == [2.8, 3.2]
    assert first["patch"].startswith("--- a/pkg/m.py\n+++ b/pkg/m.py\n")
    assert second["status"] == "no-candidate" and second["speedup"] is None and second["patch"] is None


def test_terminal_report(tmp_path: Path) -> None:
    out = io.StringIO()
    render_report(_result(tmp_path), Console(file=out, width=160, color_system=None))
    text = out.getvalue()
    assert "42.0%" in text and "pkg/m.py::f" in text and "verified" in text
    assert "3.00x [2.80-3.20]" in text
    assert "+    return any(x > 1 for x in xs)" in text
    assert "replayed 5 captured calls, 0 mismatches" in text
    assert "2 hot function(s): 1 verified, 1 no-candidate" in text


def test_apply_writes_verified_patches(make_repo: MakeRepo) -> None:
    root = make_repo({"pkg/m.py": OLD})
    assert apply_verified(_result(root)) == ["pkg/m.py"]
    assert (root / "pkg" / "m.py").read_text() == NEW


def test_apply_refuses_dirty_files_and_writes_nothing(make_repo: MakeRepo) -> None:
    root = make_repo({"pkg/m.py": OLD})
    (root / "pkg" / "m.py").write_text(OLD + "# local edit\n")
    with pytest.raises(ApplyError, match=r"pkg/m\.py: has uncommitted changes"):
        apply_verified(_result(root))
    assert (root / "pkg" / "m.py").read_text() == OLD + "# local edit\n"
    assert git(root, "status", "--porcelain").strip() == "M pkg/m.py"
