"""Fixtures: an edits database with real rows, built through eco.mine's own schema."""

from __future__ import annotations

import json
import sqlite3
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from eco.mine import EditsDB

AddEdit = Callable[..., int]

SLOW = textwrap.dedent("""\
    def dedupe(items):
        seen = []
        out = []
        for item in items:
            if item not in seen:
                seen.append(item)
                out.append(item)
        return out
    """)
FAST = SLOW.replace("seen = []", "seen = set()").replace("seen.append(item)", "seen.add(item)")


@pytest.fixture
def edits_db(tmp_path: Path) -> Path:
    path = tmp_path / "edits.sqlite"
    EditsDB(path).close()
    return path


@pytest.fixture
def add_edit(edits_db: Path) -> AddEdit:
    """Insert one edit row (as eco mine stores it); returns its row id."""
    counter = iter(range(1, 10_000))

    def add(before: str = SLOW, after: str = FAST, sha: str | None = None, qualname: str = "dedupe") -> int:
        n = next(counter)
        con = sqlite3.connect(edits_db)
        with con:
            con.execute("INSERT OR IGNORE INTO repos (id, name, path) VALUES (1, 'acme/widgets', '/x')")
            cur = con.execute(
                "INSERT INTO edits (repo_id, sha, date, author, message, file, qualname, before, after, diff, "
                "antipatterns, score, signals, fingerprint) VALUES (1, ?, '2024-01-01T00:00:00+00:00', 'a <a@b>', "
                "'perf: faster dedupe', 'widgets/core.py', ?, ?, ?, '', ?, 0.9, '[]', ?)",
                (sha or f"{n:040x}", qualname, before, after, json.dumps(["list-membership"]), f"fp{n}"))
            rowid = int(cur.lastrowid or 0)
        con.close()
        return rowid

    return add
