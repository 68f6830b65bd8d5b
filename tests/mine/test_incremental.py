"""Incremental and resumable: a second run mines only new commits; an interrupted run keeps
every finished batch and the next run completes the work."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from eco.mine import EditsDB, MineOptions, Runner, mine
from eco.mine.labelled import LabelledHistory, build_history
from tests.conftest import commit_all, git
from tests.mine.conftest import Mined, write


class Interrupt(Exception):
    pass


def test_second_run_mines_only_new_commits(tmp_path: Path) -> None:
    history = build_history(tmp_path / "repo", commits=40, seed=3, specials=False)
    db = tmp_path / "e.sqlite"
    first = mine([history.root], db, MineOptions(batch_size=10), Runner("serial"))
    assert first.commits == 40  # the root commit is recorded too; nothing is excluded here
    again = mine([history.root], db, MineOptions(batch_size=10), Runner("serial"))
    assert again.commits == 0 and again.edits == 0
    write(history.root, "pkg/mod0.py", (history.root / "pkg/mod0.py").read_text()
          + "\n\ndef late(xs):\n    return sorted(xs)[0]\n")
    commit_all(history.root, "Add late")
    write(history.root, "pkg/mod0.py", (history.root / "pkg/mod0.py").read_text().replace(
        "return sorted(xs)[0]", "return min(xs)"))
    sha = commit_all(history.root, "Speed up late: min() instead of sorting")
    third = mine([history.root], db, MineOptions(batch_size=10), Runner("serial"))
    assert third.commits == 2 and third.edits == 1
    with EditsDB(db) as store:
        assert [(e.sha, e.qualname) for e in store.edits() if e.qualname == "late"] == [(sha, "late")]


def test_interrupted_run_keeps_finished_batches_and_resumes(labelled: LabelledHistory, mined: Mined,
                                                            tmp_path: Path) -> None:
    db = tmp_path / "e.sqlite"

    def stop_after_two(n: int) -> None:
        if n == 2:
            raise Interrupt

    with pytest.raises(Interrupt):
        mine([labelled.root], db, MineOptions(batch_size=20), Runner("serial"), after_batch=stop_after_two)
    with EditsDB(db) as store:
        assert len(store.mined_shas(mined.report.repos[0])) >= 40
        partial = store.count()
    resumed = mine([labelled.root], db, MineOptions(batch_size=20), Runner("serial"))
    assert resumed.skipped_known >= 40
    with EditsDB(db) as store:
        assert store.count() == len(mined.edits) > partial
        assert {e.fingerprint for e in store.edits()} == {e.fingerprint for e in mined.edits}


@pytest.mark.slow
def test_killed_process_loses_nothing_stored(tmp_path: Path) -> None:
    history = build_history(tmp_path / "repo", commits=600, seed=5)
    db = tmp_path / "e.sqlite"
    cmd = [sys.executable, "-m", "eco", "mine", str(history.root), "--db", str(db), "--batch-size", "20",
           "--workers", "1", "-q"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ})
    deadline = time.monotonic() + 120
    mined_before_kill = 0
    while time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
        if db.exists():
            con = sqlite3.connect(db, timeout=1)
            try:
                mined_before_kill = con.execute("SELECT count(*) FROM commits").fetchone()[0]
            except sqlite3.Error:
                continue
            finally:
                con.close()
            if mined_before_kill >= 100:
                break
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert mined_before_kill >= 100
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    reference = tmp_path / "ref.sqlite"
    mine([history.root], reference, MineOptions(), Runner("serial"))
    with EditsDB(db) as a, EditsDB(reference) as b:
        assert {e.fingerprint for e in a.edits()} == {e.fingerprint for e in b.edits()}


def test_a_commit_reverted_after_it_was_mined_is_removed(make_repo: object, tmp_path: Path) -> None:
    repo = make_repo({"m.py": "def cheapest(prices):\n    return sorted(prices)[0]\n"})  # type: ignore[operator]
    write(repo, "m.py", "def cheapest(prices):\n    return min(prices)\n")
    sha = commit_all(repo, "Speed up cheapest: min() is O(n)")
    db = tmp_path / "e.sqlite"
    assert mine([repo], db, MineOptions(), Runner("serial")).edits == 1
    git(repo, "revert", "--no-edit", sha)
    report = mine([repo], db, MineOptions(), Runner("serial"))
    assert report.excluded.get("reverted") == 1 and report.excluded.get("revert") == 1
    with EditsDB(db) as store:
        assert store.count() == 0
    # Reverting the revert brings the change back: it is mined again.
    git(repo, "revert", "--no-edit", "HEAD")
    mine([repo], db, MineOptions(), Runner("serial"))
    with EditsDB(db) as store:
        assert [e.sha for e in store.edits()] == [sha]
