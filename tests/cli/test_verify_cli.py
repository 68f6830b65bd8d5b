"""`eco verify` alone: a patch from anywhere, the verdict with its evidence, exit 0 only if verified."""

from __future__ import annotations

import difflib
import json
import subprocess
import sys
from pathlib import Path

from tests.cli.test_suggest_example import FAST_BENCH
from tests.conftest import commit_all, git


def _patch(root: Path, old: str, new: str) -> str:
    path = root / "textkit" / "stats.py"
    text = path.read_text()
    assert old in text
    return "".join(difflib.unified_diff(text.splitlines(True), text.replace(old, new).splitlines(True),
                                        "a/textkit/stats.py", "b/textkit/stats.py"))


def test_verify_good_and_bad_patches(example_repo: Path, tmp_path: Path) -> None:
    pyproject = example_repo / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace("[tool.eco]\n", "[tool.eco]" + FAST_BENCH))
    commit_all(example_repo)
    good = tmp_path / "good.diff"
    good.write_text(_patch(example_repo, "return [word for word in left if word in right]",
                           "right_words = set(right)\n    return [word for word in left if word in right_words]"))
    before = git(example_repo, "status", "--porcelain")
    result = subprocess.run(
        [sys.executable, "-m", "eco", "verify", "--repo", str(example_repo),
         "--target", "textkit/stats.py::shared_vocabulary", "--patch", str(good), "--json"],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr
    verdict = json.loads(result.stdout)
    assert verdict["status"] == "verified", verdict
    assert [s["name"] for s in verdict["stages"]] == [
        "compile", "scope", "tests", "equivalence", "benchmark", "full-tests"]
    assert verdict["equivalence"]["inputs"] >= 1 and verdict["equivalence"]["mismatches"] == 0
    assert verdict["ci95"][0] >= 1.10
    assert git(example_repo, "status", "--porcelain") == before

    # Same speed, different behaviour: duplicates are dropped. Tests may miss it; replay must not.
    bad = tmp_path / "bad.diff"
    bad.write_text(_patch(example_repo, "return [word for word in left if word in right]",
                          "return list(dict.fromkeys(word for word in left if word in set(right)))"))
    result = subprocess.run(
        [sys.executable, "-m", "eco", "verify", "--repo", str(example_repo),
         "--target", "textkit/stats.py::shared_vocabulary", "--patch", "-"],
        input=bad.read_text(), capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 1, result.stderr
    assert "rejected" in result.stdout
    assert "Traceback" not in result.stderr
