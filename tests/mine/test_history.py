"""What history throws at mining: merges, reverts, cherry-picks, shallow clones, bad files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from eco.cli import main
from eco.mine import EditsDB, MineOptions, Runner, iter_edits, mine
from eco.mine.gitread import open_repo
from tests.conftest import commit_all, git
from tests.mine.conftest import write

SLOW = "def cheapest(prices):\n    return sorted(prices)[0]\n\n\ndef other(x):\n    return x\n"
FAST = SLOW.replace("sorted(prices)[0]", "min(prices)")


def run(repo: Path, db: Path, **kw: object) -> tuple[list[str], object]:
    problems: list[str] = []
    report = mine([repo], db, MineOptions(**kw), Runner("serial"),  # type: ignore[arg-type]
                  on_problem=lambda p: problems.append(str(p)))
    return problems, report


def test_merge_cherry_pick_and_revert_with_git_itself(make_repo: object, tmp_path: Path) -> None:
    repo = make_repo({"m.py": SLOW})  # type: ignore[operator]
    git(repo, "checkout", "-q", "-b", "feature")
    write(repo, "m.py", FAST)
    picked = commit_all(repo, "Speed up cheapest: O(n) min instead of a sort")
    git(repo, "checkout", "-q", "main")
    write(repo, "n.py", "def g():\n    return 1\n")
    commit_all(repo, "Add g")
    git(repo, "cherry-pick", "-x", picked)
    git(repo, "merge", "-q", "--no-edit", "feature")
    write(repo, "m.py", FAST.replace("return x", "return x * 2"))
    bad = commit_all(repo, "perf: faster other")
    git(repo, "revert", "--no-edit", bad)
    db = tmp_path / "e.sqlite"
    problems, report = run(repo, db)
    assert problems == []
    assert report.excluded == {"merge": 1, "reverted": 1, "revert": 1}  # type: ignore[attr-defined]
    with EditsDB(db) as store:
        edits = list(store.edits())
    assert [(e.sha, e.qualname) for e in edits] == [(picked, "cheapest")]
    assert report.duplicates == 1  # type: ignore[attr-defined]


def test_shallow_clone_says_how_much_history_is_missing(make_repo: object, tmp_path: Path) -> None:
    repo = make_repo({"m.py": SLOW})  # type: ignore[operator]
    for i in range(5):
        write(repo, "m.py", SLOW + f"\n\ndef f{i}():\n    return {i}\n")
        commit_all(repo, f"step {i}")
    clone = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "2", f"file://{repo}", str(clone)], check=True)
    info = open_repo(clone)
    assert "shallow clone" in info.shallow and "1 grafted commit" in info.shallow
    assert "only 2 commit(s) are reachable" in info.shallow and "git fetch --unshallow" in info.shallow
    problems, report = run(clone, tmp_path / "e.sqlite")
    assert any("shallow clone" in p for p in problems)
    assert report.commits == 1 and report.excluded.get("grafted") == 1  # type: ignore[attr-defined]


def test_bad_files_are_reported_with_where_and_mining_goes_on(make_repo: object, tmp_path: Path) -> None:
    repo = make_repo({"m.py": SLOW, "bin.py": "x = 1\n", "latin.py": "def h(s):\n    return s\n",
                      "broken.py": "def b(xs):\n    return sorted(xs)[0]\n", "big.py": "def big():\n    return 1\n",
                      "cookie.py": "# -*- coding: latin-1 -*-\ndef c(s):\n    return s + 'x'\n"})  # type: ignore[operator]
    write(repo, "bin.py", b"\x00\x01\x02 binary")
    write(repo, "latin.py", "def h(s):\n    return s + 'caf\xe9'\n".encode("latin-1"))
    write(repo, "cookie.py", "# -*- coding: latin-1 -*-\ndef c(s):\n    return sorted(s)[0] + 'caf\xe9'\n".encode("latin-1"))
    write(repo, "broken.py", "def b(xs):\n    return sorted(xs)[0\n")
    write(repo, "big.py", "def big():\n    return 1\n" + "# padding\n" * 20000)
    write(repo, "m.py", FAST)
    sha = commit_all(repo, "Speed up cheapest and friends: min() is O(n)")
    write(repo, "broken.py", "def b(xs):\n    return min(xs)\n")
    commit_all(repo, "Speed up b")
    db = tmp_path / "e.sqlite"
    problems, report = run(repo, db, max_file_bytes=100_000)
    short = sha[:12]
    assert any(p.endswith(f"@{short}:bin.py: binary content (NUL bytes); skipped") for p in problems), problems
    assert any(f"@{short}:latin.py: not UTF-8" in p and "at byte" in p for p in problems), problems
    assert any(f"@{short}:broken.py: syntax error at line 2" in p for p in problems), problems
    assert any(f"@{short}:big.py: file too large" in p for p in problems), problems
    with EditsDB(db) as store:
        stored = {(e.file, e.qualname) for e in store.edits()}
    # The good file of the same commit, the latin-1 file with a coding cookie, and the broken
    # file's next revision (compared with a revision that did not parse: skipped) are handled.
    assert ("m.py", "cheapest") in stored and ("cookie.py", "c") in stored
    assert report.commits == 3  # type: ignore[attr-defined]


def test_corrupt_object_is_reported_and_mining_goes_on(make_repo: object, tmp_path: Path) -> None:
    repo = make_repo({"m.py": SLOW, "z.py": "def z():\n    return 0\n"})  # type: ignore[operator]
    write(repo, "z.py", "def z():\n    return 'unique content 1234'\n")
    write(repo, "m.py", FAST)
    sha = commit_all(repo, "Speed up cheapest: O(n)")
    blob = git(repo, "rev-parse", f"{sha}:z.py").strip()
    obj = repo / ".git" / "objects" / blob[:2] / blob[2:]
    obj.chmod(0o644)
    obj.write_bytes(b"corrupt")
    problems, _ = run(repo, tmp_path / "e.sqlite")
    assert any(f"@{sha[:12]}:z.py: object {blob[:12]} cannot be read" in p for p in problems), problems
    assert [e.qualname for e in iter_edits(repo)] == ["cheapest"]


def test_vendored_and_generated_files_are_excluded(make_repo: object, tmp_path: Path) -> None:
    gen = "# Code generated by protoc-gen. DO NOT EDIT.\n" + SLOW
    repo = make_repo({"third_party/lib/m.py": SLOW, "pkg/api.py": gen, "pkg/x_pb2.py": SLOW})  # type: ignore[operator]
    write(repo, "third_party/lib/m.py", FAST)
    write(repo, "pkg/api.py", gen.replace("sorted(prices)[0]", "min(prices)"))
    write(repo, "pkg/x_pb2.py", FAST)
    commit_all(repo, "Speed up cheapest everywhere")
    assert list(iter_edits(repo)) == []


def test_not_a_repository_is_one_error_line_and_exit_2(tmp_path: Path, make_repo: object) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    result = subprocess.run([sys.executable, "-m", "eco", "mine", str(plain), "--db", str(tmp_path / "e.sqlite")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("eco: error:")]
    assert errors == [f"eco: error: {plain}: not a git repository"]
    # With a good repository beside it, the good one is mined and the exit code is still 2.
    repo = make_repo({"m.py": SLOW})  # type: ignore[operator]
    assert main(["mine", str(plain), str(repo), "--db", str(tmp_path / "e2.sqlite"), "-q"]) == 2
    with EditsDB(tmp_path / "e2.sqlite") as store:
        assert store.mined_shas(str(repo))


@pytest.mark.parametrize(("args", "said"), [
    (["--rev", "nope..main"], "eco: error: "),
    (["--since", "yesterday", "--rev", "HEAD"], "give --since or --rev, not both"),
    (["--workers", "2", "--cluster", "tcp://127.0.0.1:1"], "give --workers or --cluster, not both"),
])
def test_bad_ranges_and_options(make_repo: object, tmp_path: Path, args: list[str], said: str,
                                capsys: pytest.CaptureFixture[str]) -> None:
    repo = make_repo({"m.py": SLOW})  # type: ignore[operator]
    assert main(["mine", str(repo), "--db", str(tmp_path / "e.sqlite"), *args]) == 2
    assert said in capsys.readouterr().err


def test_json_lines_and_ranges(make_repo: object, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = make_repo({"m.py": SLOW})  # type: ignore[operator]
    base = git(repo, "rev-parse", "HEAD").strip()
    write(repo, "m.py", FAST)
    sha = commit_all(repo, "Speed up cheapest 3x")
    write(repo, "m.py", FAST.replace("return x", "return x + 1"))
    commit_all(repo, "Fix other")
    db = tmp_path / "e.sqlite"
    assert main(["mine", str(repo), "--db", str(db), "--rev", f"{base}..HEAD~1", "--json"]) == 0
    out, err = capsys.readouterr()
    (line,) = out.splitlines()
    record = json.loads(line)
    assert set(record) == {"repo", "sha", "file", "qualname", "score", "signals", "antipatterns"}
    assert (record["sha"], record["file"], record["qualname"]) == (sha, "m.py", "cheapest")
    assert record["antipatterns"] == ["sorted-then-index"]
    assert "eco: mined 1 commit(s)" in err
    assert main(["mine", str(repo), "--db", str(db), "--max-commits", "1", "--json", "-q"]) == 0
    assert capsys.readouterr().out == ""
    with EditsDB(db) as store:
        assert len(store.mined_shas(str(repo))) == 2
