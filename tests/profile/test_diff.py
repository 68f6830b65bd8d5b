"""Diff mode: which functions a change touches, in real git repositories."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from _programs import SHOP_RUN, SHOP_WORK, dedent

from eco.errors import ConfigError
from eco.profile import changed_functions, diff_targets, load_profile
from tests.conftest import MakeRepo, commit_all, git

NESTED = dedent('''
    RATE = 3


    def outer(x):
        def inner(y):
            return y * RATE
        return inner(x) + 1


    def untouched():
        return 0
''')


@pytest.fixture
def repo(make_repo: MakeRepo) -> Path:
    return make_repo({
        "shop/__init__.py": "",
        "shop/work.py": SHOP_WORK,
        "shop/nested.py": NESTED,
        "run.py": SHOP_RUN,
        "tests/test_work.py": "from shop.work import scan_list\n\n\ndef test_scan():\n    assert scan_list(10) == 10\n",
    })


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_touched_functions(repo: Path) -> None:
    _edit(repo / "shop/work.py", "        if i % 400 in items:", "        if i % 401 in items:")  # scan_list
    _edit(repo / "shop/work.py", "    total = 0\n    for i in range(n):\n        total += i * i\n",
          "    total = 0\n    for i in range(n):\n")  # a deletion inside sum_squares
    _edit(repo / "shop/nested.py", "        return y * RATE", "        return y * RATE * 1")  # inner only
    _edit(repo / "shop/nested.py", "RATE = 3", "RATE = 4")  # module level: no function
    (repo / "shop/extra.py").write_text("def fresh(a):\n    return a\n")
    _edit(repo / "tests/test_work.py", "== 10", "== 10  # same")  # tests are never targets
    commit_all(repo, "change")
    touched = changed_functions(repo, "HEAD~1..HEAD")
    assert [(c.file, c.qualname) for c in touched] == [
        ("shop/extra.py", "fresh"),
        ("shop/nested.py", "outer.inner"),
        ("shop/work.py", "scan_list"),
        ("shop/work.py", "sum_squares"),
    ]
    assert touched[2].changed_lines == (14,)
    assert touched[2].line == 10
    # Three dots: from the merge base; one revision: against the working tree.
    assert changed_functions(repo, "HEAD~1...HEAD") == touched
    _edit(repo / "shop/work.py", "    data.sort()", "    data.sort(reverse=False)")
    assert [c.qualname for c in changed_functions(repo, "HEAD")] == ["build_and_sort"]


def test_spans_come_from_the_new_side_not_the_working_tree(repo: Path) -> None:
    base = git(repo, "rev-parse", "HEAD").strip()
    _edit(repo / "shop/work.py", "    return found", "    return found + 0")
    commit_all(repo, "scan_list returns")
    # The working tree moves on: lines shift, but the diff's new side is what counts.
    (repo / "shop/work.py").write_text("\n\n\n" + (repo / "shop/work.py").read_text())
    touched = changed_functions(repo, f"{base}..HEAD")
    assert [(c.qualname, c.changed_lines) for c in touched] == [("scan_list", (16,))]


def test_ranked_by_the_profile_cold_ones_last(repo: Path) -> None:
    prof = repo / "run.prof"
    subprocess.run([sys.executable, "-m", "cProfile", "-o", str(prof), "run.py", "1"], cwd=repo, check=True)
    profile = load_profile([prof], repo)
    _edit(repo / "shop/work.py", "    found = 0", "    found = 0  # counted")  # scan_list (hot)
    _edit(repo / "shop/work.py", "    total = 0\n    for i", "    total = 0  # sum\n    for i")  # sum_squares
    _edit(repo / "shop/nested.py", "    return 0", "    return 0  # never run")  # cold
    commit_all(repo, "touch three")
    targets = diff_targets(profile, changed_functions(repo, "HEAD~1..HEAD"))
    assert [t.qualname for t in targets] == ["scan_list", "sum_squares", "untouched"]
    assert targets[0].share > targets[1].share > 0
    assert targets[2].share == 0 and targets[2].file == "shop/nested.py" and targets[2].line == 10
    # Without a profile, every touched function is a cold target, in file order.
    cold = diff_targets(None, changed_functions(repo, "HEAD~1..HEAD"))
    assert [(t.qualname, t.share) for t in cold] == [("untouched", 0.0), ("scan_list", 0.0), ("sum_squares", 0.0)]


@pytest.mark.parametrize("bad", ["nosuchrev..HEAD", "-p", ""])
def test_bad_ranges(repo: Path, bad: str) -> None:
    with pytest.raises(ConfigError, match="--diff"):
        changed_functions(repo, bad)


def test_suggest_diff_mode_end_to_end(repo: Path) -> None:
    """`eco suggest --diff` runs the pipeline on the touched functions only."""
    (repo / "pyproject.toml").write_text('[tool.eco]\nworkload = "python run.py 1"\n')
    commit_all(repo, "eco settings")
    _edit(repo / "shop/work.py", "    total = 0\n    for i", "    total = 0  # sum\n    for i")  # sum_squares
    _edit(repo / "shop/nested.py", "    return 0", "    return 0  # never run")
    commit_all(repo, "touch two")
    done = subprocess.run([sys.executable, "-m", "eco", "suggest", str(repo), "--diff", "HEAD~1..HEAD",
                           "--json", "-q"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)["results"]
    assert [(r["qualname"], r["status"]) for r in results] == [
        ("sum_squares", "no-candidate"), ("untouched", "no-candidate")]
    assert results[0]["profile_share"] > 0 and results[1]["profile_share"] == 0
