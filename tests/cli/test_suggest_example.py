"""`eco suggest` end to end on the bundled example: real profile, real worktrees, real pyperf."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import commit_all, git

FAST_BENCH = "\nbench_rounds = 2\nbench_processes = 2\nbench_values = 2\n"


@pytest.fixture
def fast_example(example_repo: Path) -> Path:
    pyproject = example_repo / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace("[tool.eco]\n", "[tool.eco]" + FAST_BENCH))
    commit_all(example_repo, "fast benchmark settings for tests")
    return example_repo


def test_suggest_json_on_the_example(fast_example: Path, tmp_path: Path) -> None:
    before = {p: p.read_bytes() for p in fast_example.rglob("*.py")}
    result = subprocess.run([sys.executable, "-m", "eco", "suggest", str(fast_example), "--json"],
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["eco_version"] == "0.1.0"
    assert document["repo"] == str(fast_example.resolve())
    assert document["workload"] == "python workload.py"
    results = document["results"]
    statuses = {r["qualname"]: r["status"] for r in results}
    assert set(statuses.values()) <= {"verified", "rejected", "no-candidate", "error"}
    verified = [r for r in results if r["status"] == "verified"]
    assert len(verified) >= 2, json.dumps(results, indent=1)
    # Already-idiomatic code is never claimed.
    assert statuses.get("normalize", "no-candidate") == "no-candidate"
    for entry in results:
        assert not entry["file"].startswith("/")
        assert entry["profile_share"] > 0
    for entry in verified:
        assert entry["speedup"] >= 1.10
        low, high = entry["ci95"]
        assert 1.10 <= low <= entry["speedup"] <= high
        assert entry["tests"]["failed"] == 0 and entry["tests"]["passed"] > 0
        assert entry["equivalence"]["inputs"] > 0 and entry["equivalence"]["mismatches"] == 0
        assert entry["drafter"] == "recipes"
    # The user's files are untouched.
    assert {p: p.read_bytes() for p in fast_example.rglob("*.py")} == before
    # Every verified patch applies at the repository root, and the tests still pass with all of them.
    copy = tmp_path / "applied"
    git(fast_example, "worktree", "add", "--detach", "-q", str(copy))
    for entry in verified:
        subprocess.run(["git", "apply", "-"], cwd=copy, input=entry["patch"], text=True, check=True)
    tests = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=copy,
                           capture_output=True, text=True)
    assert tests.returncode == 0, tests.stdout
