"""The pull-request ledger: every PR eco opened, and what became of it, in SQLite.

Why a ledger: eco must never open a second PR for the same function and code, and never
retry a change a human closed unless the function changed since. GitHub itself is the
other half of that check (an open or closed eco PR carries a hidden marker with the same
key, see `eco.publish.pr_body.marker`), so a fresh CI runner without the ledger still
dedups; the ledger adds what GitHub forgets cheaply (which closed PR was about which
source) and is what the App records ``pull_request`` closed events into.

The file is SQLite in WAL mode; every write is one transaction, so a crash leaves either
the old or the new row. Format history: ``user_version`` 1 — first version.
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from eco.errors import StateError

__all__ = ["LedgerEntry", "PullLedger", "patch_hash", "source_hash"]

_VERSION = 1
PullState = Literal["open", "merged", "closed"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS pulls (
    repo TEXT NOT NULL,
    number INTEGER NOT NULL,
    branch TEXT NOT NULL,
    file TEXT NOT NULL,
    qualname TEXT NOT NULL,
    source_hash TEXT NOT NULL,
    patch_hash TEXT NOT NULL,
    url TEXT NOT NULL DEFAULT '',
    antipattern TEXT,
    speedup REAL,
    state TEXT NOT NULL DEFAULT 'open',
    opened_at REAL NOT NULL,
    closed_at REAL,
    PRIMARY KEY (repo, number, file, qualname)
);
CREATE INDEX IF NOT EXISTS pulls_function ON pulls (repo, file, qualname);
"""


def source_hash(source: str) -> str:
    """The key of a function's code: 16 hex digits of SHA-256 of its source text."""
    return hashlib.sha256(source.encode("utf-8")).hexdigest()[:16]


def patch_hash(patch: str) -> str:
    """The key of a proposed change (16 hex digits of SHA-256 of the unified diff)."""
    return hashlib.sha256(patch.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class LedgerEntry:
    """One function changed by one pull request (a campaign PR has several)."""

    repo: str
    number: int
    branch: str
    file: str
    qualname: str
    source_hash: str
    patch_hash: str
    state: PullState
    url: str = ""
    antipattern: str | None = None
    speedup: float | None = None
    opened_at: float = 0.0
    closed_at: float | None = None


class PullLedger:
    """The SQLite ledger at ``path`` (created on first write; its directory too).

    Each call opens its own connection, so one ledger object may be shared by threads
    (the App's workers) and processes.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with closing(sqlite3.connect(self.path, timeout=30)) as conn:
                conn.execute("PRAGMA journal_mode=WAL")
                version = conn.execute("PRAGMA user_version").fetchone()[0]
                if version > _VERSION:
                    raise StateError(f"{self.path}: pull-request ledger format {version} is newer than this eco "
                                     f"understands ({_VERSION}); upgrade eco")
                if version < _VERSION:
                    with conn:
                        conn.executescript(_SCHEMA)
                        conn.execute(f"PRAGMA user_version = {_VERSION}")
                yield conn
        except sqlite3.DatabaseError as exc:
            raise StateError(f"{self.path}: the pull-request ledger cannot be read ({exc}); move it away and "
                             "eco starts a new one (open eco PRs on GitHub are still found by their marker)") from exc

    def record_opened(self, repo: str, number: int, branch: str, file: str, qualname: str, code_hash: str,
                      patch: str, *, url: str = "", antipattern: str | None = None,
                      speedup: float | None = None) -> LedgerEntry:
        """Record that PR ``number`` of ``repo`` proposes ``patch`` to the function whose
        baseline source hashes to ``code_hash`` (`source_hash`)."""
        entry = LedgerEntry(repo, number, branch, file, qualname, code_hash, patch_hash(patch), "open", url,
                            antipattern, speedup, time.time())
        with self._connect() as conn, conn:
            conn.execute(
                "INSERT OR REPLACE INTO pulls (repo, number, branch, file, qualname, source_hash, patch_hash, url,"
                " antipattern, speedup, state, opened_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (entry.repo, entry.number, entry.branch, entry.file, entry.qualname, entry.source_hash,
                 entry.patch_hash, entry.url, entry.antipattern, entry.speedup, entry.state, entry.opened_at))
        return entry

    def record_closed(self, repo: str, number: int, merged: bool) -> bool:
        """Record that a human merged or closed PR ``number``; False when eco never opened it."""
        with self._connect() as conn, conn:
            cursor = conn.execute("UPDATE pulls SET state = ?, closed_at = ? WHERE repo = ? AND number = ?",
                                  ("merged" if merged else "closed", time.time(), repo, number))
            return cursor.rowcount > 0

    def entries(self, repo: str | None = None) -> list[LedgerEntry]:
        """Every recorded PR (of ``repo`` when given), oldest first."""
        if not self.path.exists():
            return []
        query = ("SELECT repo, number, branch, file, qualname, source_hash, patch_hash, state, url, antipattern,"
                 " speedup, opened_at, closed_at FROM pulls")
        args: tuple[str, ...] = ()
        if repo is not None:
            query += " WHERE repo = ?"
            args = (repo,)
        with self._connect() as conn:
            rows = conn.execute(query + " ORDER BY opened_at, number", args).fetchall()
        return [LedgerEntry(*row) for row in rows]

    def should_skip(self, repo: str, file: str, qualname: str, source_hash: str) -> str | None:
        """Why eco must not open a PR for this function now, or None when it may.

        Never a second PR for the same code (``source_hash``), whatever became of the first;
        never two open PRs for one function, even when its code changed since.
        """
        same = [e for e in self.entries(repo) if e.file == file and e.qualname == qualname]
        for entry in reversed(same):
            if entry.source_hash == source_hash:
                if entry.state == "open":
                    return f"pull request #{entry.number} already proposes a change to this code"
                if entry.state == "closed":
                    return (f"pull request #{entry.number} for this code was closed without merging; eco retries "
                            "only after the function changes")
                return f"pull request #{entry.number} for this code was merged"
        for entry in same:
            if entry.state == "open":
                return (f"pull request #{entry.number} is still open for this function (its code changed since); "
                        "close or merge it first")
        return None
