"""Bad input: one line on stderr, exit 2, no traceback, nothing changed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import commit_all, git

ECO = [sys.executable, "-m", "eco"]


def run_eco(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*ECO, *args], cwd=cwd, capture_output=True, text=True, timeout=600)


def assert_one_line_error(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("eco: error:")]
    assert len(errors) == 1, result.stderr
    for fragment in fragments:
        assert fragment in errors[0], errors[0]


def test_not_a_git_repository(tmp_path: Path) -> None:
    (tmp_path / "mod.py").write_text("def f():\n    return 1\n")
    assert_one_line_error(run_eco("suggest", str(tmp_path)), "not a git repository")


def test_workload_that_fails(example_repo: Path) -> None:
    (example_repo / "workload.py").write_text("raise RuntimeError('database unreachable')\n")
    commit_all(example_repo)
    result = run_eco("suggest", str(example_repo))
    assert_one_line_error(result, "workload", "failed", "RuntimeError: database unreachable")


def test_workload_that_is_not_python(example_repo: Path) -> None:
    result = run_eco("suggest", str(example_repo), "--workload", "make bench")
    assert_one_line_error(result, "not a Python command")


def test_profile_that_is_not_a_profile(example_repo: Path) -> None:
    bogus = example_repo / "notes.prof"
    bogus.write_text("these are not the stats you are looking for")
    result = run_eco("suggest", str(example_repo), "--profile", str(bogus))
    assert_one_line_error(result, "notes.prof", "not collapsed stacks", "eco reads pstats, pyinstrument, speedscope")


def test_bad_config(example_repo: Path) -> None:
    pyproject = example_repo / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace("[tool.eco]\n", "[tool.eco]\nmin_speedup = 'lots'\n"))
    assert_one_line_error(run_eco("suggest", str(example_repo)), "pyproject.toml", "min_speedup")


def test_function_not_found(example_repo: Path, tmp_path: Path) -> None:
    patch = tmp_path / "p.diff"
    patch.write_text("--- a/textkit/stats.py\n+++ b/textkit/stats.py\n")
    result = run_eco("verify", "--repo", str(example_repo), "--target", "textkit/stats.py::missing",
                     "--patch", str(patch))
    assert_one_line_error(result, "textkit/stats.py", "missing", "not found")


def test_tests_failing_before_any_change(example_repo: Path) -> None:
    tests = example_repo / "tests" / "test_textkit.py"
    tests.write_text(tests.read_text() + "\n\ndef test_broken():\n    assert 1 == 2\n")
    commit_all(example_repo)
    status_before = git(example_repo, "status", "--porcelain")
    result = run_eco("suggest", str(example_repo), "--max-targets", "2")
    assert_one_line_error(result, "fail on the unchanged code", "test_broken")
    assert git(example_repo, "status", "--porcelain") == status_before


def test_syntax_error_in_a_repository_file(example_repo: Path) -> None:
    out = example_repo / "good.prof"
    subprocess.run([sys.executable, "-m", "cProfile", "-o", str(out), "workload.py"], cwd=example_repo,
                   check=True, capture_output=True)
    stats = example_repo / "textkit" / "stats.py"
    stats.write_text(stats.read_text().replace("def frequencies(words", "def frequencies(words,,"))
    result = run_eco("suggest", str(example_repo), "--profile", str(out), "--max-targets", "3")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "textkit/stats.py:4: syntax error" in result.stderr
