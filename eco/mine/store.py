"""The edits database: SQLite under ``.eco/edits.sqlite`` (or ``--db PATH``).

Format history (``meta.schema_version``):

1. ``repos``, ``commits`` (every mined commit, so a later run skips it) and ``edits``
   (one row per stored function edit, unique by fingerprint).
2. ``edits.old_file`` (the path before a rename), ``edits.epoch`` (author time, UTC
   seconds: the earliest copy of a cherry-picked edit wins), a ``problems`` table and an
   index on ``edits.score``.

A database of an older version is migrated in one transaction; a newer one, or a file
that is not an eco edits database, raises `StateError` naming the file and is never
written to. Each batch of commits is stored in one transaction, so an interrupted run
keeps every batch it finished and the next run resumes after them.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path

from eco import __version__
from eco.errors import StateError
from eco.mine.records import CommitOutcome, MinedEdit, Problem, Signal

__all__ = ["SCHEMA_VERSION", "EditsDB"]

SCHEMA_VERSION = 2

_V1 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE repos (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, path TEXT NOT NULL,
    head TEXT, mined_at TEXT
);
CREATE TABLE commits (
    repo_id INTEGER NOT NULL REFERENCES repos(id), sha TEXT NOT NULL, status TEXT NOT NULL,
    score REAL NOT NULL, edits INTEGER NOT NULL, subject TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (repo_id, sha)
) WITHOUT ROWID;
CREATE TABLE edits (
    id INTEGER PRIMARY KEY, repo_id INTEGER NOT NULL REFERENCES repos(id), sha TEXT NOT NULL,
    date TEXT NOT NULL, author TEXT NOT NULL, message TEXT NOT NULL, file TEXT NOT NULL,
    qualname TEXT NOT NULL, before TEXT NOT NULL, after TEXT NOT NULL, diff TEXT NOT NULL,
    antipatterns TEXT NOT NULL, score REAL NOT NULL, signals TEXT NOT NULL,
    fingerprint TEXT NOT NULL UNIQUE
);
CREATE INDEX edits_by_commit ON edits (repo_id, sha);
"""


def _v1_to_v2(db: sqlite3.Connection) -> None:
    db.execute("ALTER TABLE edits ADD COLUMN old_file TEXT NOT NULL DEFAULT ''")
    db.execute("ALTER TABLE edits ADD COLUMN epoch INTEGER NOT NULL DEFAULT 0")
    db.execute("UPDATE edits SET old_file = file")
    for row in db.execute("SELECT id, date FROM edits").fetchall():
        db.execute("UPDATE edits SET epoch = ? WHERE id = ?", (_epoch(row[1]), row[0]))
    db.execute("""CREATE TABLE problems (
        repo_id INTEGER NOT NULL REFERENCES repos(id), sha TEXT NOT NULL, file TEXT NOT NULL,
        message TEXT NOT NULL)""")
    db.execute("CREATE INDEX edits_by_score ON edits (score)")


#: ``{from version: step to the next}``.
MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {1: _v1_to_v2}


def _epoch(date: str) -> int:
    try:
        return int(datetime.fromisoformat(date).timestamp())
    except ValueError:
        return 0


def _rebuild_hint(path: Path) -> str:
    return f"move {path} away and run `eco mine --db {path}` to rebuild it"


class EditsDB:
    """An open edits database; use as a context manager."""

    def __init__(self, path: Path) -> None:
        self.path = path
        fresh = not path.exists() or path.stat().st_size == 0
        if fresh:
            path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite3.connect(path, timeout=30.0, isolation_level=None)
        except sqlite3.Error as exc:
            raise StateError(f"{path}: cannot open the edits database ({exc})") from exc
        try:
            self._prepare(fresh)
        except sqlite3.DatabaseError as exc:
            self.db.close()
            raise StateError(f"{path}: not a readable eco edits database ({exc}); {_rebuild_hint(path)}") from exc
        except StateError:
            self.db.close()
            raise

    def _prepare(self, fresh: bool) -> None:
        tables = {r[0] for r in self.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if fresh or not tables:
            self.db.execute("PRAGMA journal_mode=WAL")
            self._create(SCHEMA_VERSION)
            return
        if "meta" not in tables:
            raise StateError(f"{self.path}: an SQLite file but not an eco edits database "
                             f"(no meta table); {_rebuild_hint(self.path)}")
        row = self.db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        try:
            version = int(row[0]) if row else -1
        except ValueError:
            version = -1
        if version < 1:
            raise StateError(f"{self.path}: the edits database has no valid schema version; {_rebuild_hint(self.path)}")
        if version > SCHEMA_VERSION:
            raise StateError(f"{self.path}: edits database schema version {version} is newer than this eco "
                             f"({__version__}) can read (up to {SCHEMA_VERSION}); upgrade eco, or mine into "
                             "another file with --db")
        if version < SCHEMA_VERSION:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                for step in range(version, SCHEMA_VERSION):
                    MIGRATIONS[step](self.db)
                self._set_meta("schema_version", str(SCHEMA_VERSION))
                self._set_meta("migrated_by", __version__)
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
        self.db.execute("PRAGMA journal_mode=WAL")

    def _create(self, version: int) -> None:
        self.db.execute("BEGIN IMMEDIATE")
        for statement in _V1.split(";"):
            if statement.strip():
                self.db.execute(statement)
        self._set_meta("schema_version", "1")
        for step in range(1, version):
            MIGRATIONS[step](self.db)
        self._set_meta("schema_version", str(version))
        self._set_meta("created_by", __version__)
        self.db.execute("COMMIT")

    def _set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT INTO meta (key, value) VALUES (?, ?) "
                        "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))

    def __enter__(self) -> EditsDB:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()

    # --- repositories and commits ---------------------------------------------------------

    def repo_id(self, name: str, path: str) -> int:
        row = self.db.execute("SELECT id FROM repos WHERE name = ?", (name,)).fetchone()
        if row:
            return int(row[0])
        cursor = self.db.execute("INSERT INTO repos (name, path) VALUES (?, ?)", (name, path))
        return int(cursor.lastrowid or 0)

    def mined_shas(self, name: str) -> set[str]:
        """Every commit of ``name`` already mined (or excluded) by an earlier run."""
        return {r[0] for r in self.db.execute(
            "SELECT sha FROM commits JOIN repos ON repos.id = commits.repo_id WHERE repos.name = ?", (name,))}

    def set_head(self, name: str, path: str, head: str) -> None:
        rid = self.repo_id(name, path)
        self.db.execute("UPDATE repos SET head = ?, path = ?, mined_at = ? WHERE id = ?",
                        (head, path, datetime.now().astimezone().isoformat(timespec="seconds"), rid))

    def exclude(self, name: str, path: str, shas: Iterable[str], status: str) -> int:
        """Mark commits as excluded (``reverted``, ``revert``...) and delete their stored edits.

        Returns how many stored edits were deleted (a commit reverted after it was mined).
        """
        rid = self.repo_id(name, path)
        deleted = 0
        self.db.execute("BEGIN IMMEDIATE")
        try:
            for sha in shas:
                deleted += self.db.execute("DELETE FROM edits WHERE repo_id = ? AND sha = ?", (rid, sha)).rowcount
                self.db.execute("INSERT INTO commits (repo_id, sha, status, score, edits) VALUES (?, ?, ?, 0, 0) "
                                "ON CONFLICT(repo_id, sha) DO UPDATE SET status = excluded.status, edits = 0",
                                (rid, sha, status))
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        return deleted

    def store_batch(self, name: str, path: str, outcomes: Iterable[CommitOutcome],
                    edits: Iterable[MinedEdit], problems: Iterable[Problem]) -> list[MinedEdit]:
        """Store one batch in one transaction; returns the edits that were new.

        An edit whose fingerprint is already stored (a cherry-pick, a rebase) is stored once:
        the copy with the earliest author date is kept.
        """
        rid = self.repo_id(name, path)
        stored = []
        self.db.execute("BEGIN IMMEDIATE")
        try:
            for e in edits:
                cursor = self.db.execute(
                    "INSERT INTO edits (repo_id, sha, date, author, message, file, qualname, before, after, diff, "
                    "antipatterns, score, signals, fingerprint, old_file, epoch) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT(fingerprint) DO UPDATE SET repo_id = excluded.repo_id, sha = excluded.sha, "
                    "date = excluded.date, author = excluded.author, message = excluded.message, "
                    "file = excluded.file, qualname = excluded.qualname, diff = excluded.diff, "
                    "antipatterns = excluded.antipatterns, score = excluded.score, signals = excluded.signals, "
                    "old_file = excluded.old_file, epoch = excluded.epoch WHERE excluded.epoch < edits.epoch",
                    (rid, e.sha, e.date, e.author, e.message, e.file, e.qualname, e.before, e.after, e.diff,
                     json.dumps(list(e.antipatterns)), e.score, json.dumps([s.as_dict() for s in e.signals]),
                     e.fingerprint, e.old_file or e.file, _epoch(e.date)))
                if cursor.rowcount:
                    stored.append(e)
            self.db.executemany(
                "INSERT INTO commits (repo_id, sha, status, score, edits, subject) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(repo_id, sha) DO UPDATE SET status = excluded.status, score = excluded.score, "
                "edits = excluded.edits, subject = excluded.subject",
                [(rid, o.sha, o.status, o.score, o.edits, o.subject) for o in outcomes])
            self.db.executemany("INSERT INTO problems (repo_id, sha, file, message) VALUES (?, ?, ?, ?)",
                                [(rid, p.sha, p.file, p.message) for p in problems])
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        return stored

    # --- reading ---------------------------------------------------------------------------

    def edits(self, repo: str | None = None, min_score: float = 0.0) -> Iterator[MinedEdit]:
        """Stored edits, oldest first."""
        query = ("SELECT repos.name, sha, date, author, message, file, qualname, before, after, diff, "
                 "antipatterns, score, signals, fingerprint, old_file FROM edits "
                 "JOIN repos ON repos.id = edits.repo_id WHERE score >= ?")
        args: list[object] = [min_score]
        if repo is not None:
            query += " AND repos.name = ?"
            args.append(repo)
        for row in self.db.execute(query + " ORDER BY epoch, edits.id", args):
            yield MinedEdit(
                repo=row[0], sha=row[1], date=row[2], author=row[3], message=row[4], file=row[5],
                qualname=row[6], before=row[7], after=row[8], diff=row[9],
                antipatterns=tuple(json.loads(row[10])), score=row[11],
                signals=tuple(Signal(s["kind"], s["weight"], s["detail"]) for s in json.loads(row[12])),
                fingerprint=row[13], old_file=row[14])

    def commit_status(self, repo: str) -> dict[str, tuple[str, float, int]]:
        """``{sha: (status, score, edits)}`` of every mined commit of ``repo``."""
        return {r[0]: (r[1], r[2], r[3]) for r in self.db.execute(
            "SELECT sha, status, score, commits.edits FROM commits JOIN repos ON repos.id = commits.repo_id "
            "WHERE repos.name = ?", (repo,))}

    def count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM edits").fetchone()[0])
