"""The PR ledger (SQLite) and CODEOWNERS matching."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from eco.errors import StateError
from eco.publish.codeowners import CodeOwners
from eco.publish.ledger import PullLedger, source_hash


def test_ledger_dedups_and_remembers_human_decisions(tmp_path: Path) -> None:
    ledger = PullLedger(tmp_path / "state" / "pulls.sqlite")
    old = source_hash("def f():\n    return [x for x in y]\n")
    new = source_hash("def f():\n    return list(y)\n")
    assert ledger.should_skip("o/r", "a.py", "f", old) is None
    ledger.record_opened("o/r", 7, "eco/a-f-x", "a.py", "f", old, "--- a/a.py\n", url="u")
    assert "#7 already proposes" in (ledger.should_skip("o/r", "a.py", "f", old) or "")
    # Still open for older code: never two open PRs for one function.
    assert "#7 is still open" in (ledger.should_skip("o/r", "a.py", "f", new) or "")
    # Another repository, another function: free.
    assert ledger.should_skip("o/other", "a.py", "f", old) is None
    assert ledger.should_skip("o/r", "a.py", "g", old) is None
    assert ledger.record_closed("o/r", 7, merged=False)
    assert "closed without merging" in (ledger.should_skip("o/r", "a.py", "f", old) or "")
    assert ledger.should_skip("o/r", "a.py", "f", new) is None  # the function changed: retry allowed
    assert not ledger.record_closed("o/r", 99, merged=True)  # never opened by eco
    # A second ledger object (another process, the App) sees the same rows.
    [entry] = PullLedger(tmp_path / "state" / "pulls.sqlite").entries("o/r")
    assert (entry.number, entry.state, entry.source_hash) == (7, "closed", old)
    with sqlite3.connect(tmp_path / "state" / "pulls.sqlite") as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_unreadable_ledger_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "pulls.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StateError, match=r"pulls.sqlite: the pull-request ledger cannot be read"):
        PullLedger(path).should_skip("o/r", "a.py", "f", "0" * 16)
    newer = tmp_path / "newer.sqlite"
    with sqlite3.connect(newer) as conn:
        conn.execute("PRAGMA user_version = 9")
    conn.close()
    with pytest.raises(StateError, match="format 9 is newer"):
        PullLedger(newer).entries()


def test_codeowners_last_match_wins_with_gitignore_patterns() -> None:
    owners = CodeOwners(
        "# comment\n"
        "*       @everyone\n"
        "*.py    @py-person @acme/python\n"
        "/pkg/   @pkg-owner\n"
        "docs/   @writer\n"
        "pkg/generated/** \n"
        "**/fast_*.py @speed-freak # inline comment\n"
        "apps/*/main.py @apps\n"
    )
    assert owners.owners("README.md") == ("@everyone",)
    assert owners.owners("tools/x.py") == ("@py-person", "@acme/python")
    assert owners.owners("pkg/mod.py") == ("@pkg-owner",)
    assert owners.owners("pkg/generated/parser.py") == ()  # un-assigned by a later empty rule
    assert owners.owners("pkg/deep/fast_io.py") == ("@speed-freak",)
    assert owners.owners("src/docs/guide.md") == ("@writer",)  # unanchored directory
    assert owners.owners("apps/web/main.py") == ("@apps",)
    assert owners.owners("apps/web/sub/main.py") == ("@py-person", "@acme/python")  # * stops at /
    reviewers = owners.reviewers(["tools/x.py", "pkg/mod.py", "pkg/deep/fast_io.py"], exclude=("pkg-owner",))
    assert reviewers.users == ("py-person", "speed-freak")
    assert reviewers.teams == ("python",)
