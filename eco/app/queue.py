"""The App's durable job queue: one SQLite file, every change a committed transaction.

A delivery is answered 202 only after its row and its jobs are committed
(``synchronous=FULL`` in WAL mode: the commit is fsync'd), so an accepted job survives a
crash of the server or the machine. Delivery ids are a table of their own: a redelivery
of an id already recorded (GitHub's "Redeliver" button, a retry after a timeout) adds
nothing, even after a restart.

Jobs run at least once. A worker claims a job with a lease that it renews while the job
runs; a job whose lease expired (its worker died) is claimable again, and `recover`
puts every ``running`` job back at start-up (the state directory is locked by one
server, so no other process can own them). Each claim counts an attempt; after
``max_attempts`` a job is ``failed`` with the last reason. The steps of a job are
idempotent (a PR already opened for the same change is found by the ledger), so a
second run after a crash opens nothing twice.

States: queued → running → done | failed | cancelled; running → queued (retry, lease lost).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from eco.errors import StateError

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS deliveries (
    id TEXT PRIMARY KEY,
    event TEXT NOT NULL,
    received_at REAL NOT NULL,
    outcome TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    installation_id INTEGER NOT NULL,
    repo TEXT NOT NULL,
    head_sha TEXT,
    ref TEXT,
    target TEXT,
    issue_number INTEGER,
    body TEXT,
    delivery TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    not_before REAL NOT NULL,
    lease_until REAL,
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL,
    started_at REAL,
    finished_at REAL,
    reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS jobs_by_state ON jobs (state, not_before);
CREATE INDEX IF NOT EXISTS jobs_by_repo ON jobs (installation_id, repo, state);
CREATE TABLE IF NOT EXISTS starts (installation_id INTEGER NOT NULL, at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS starts_by_installation ON starts (installation_id, at);
"""

#: Job kinds: a pipeline run (whole repository or one ``target``), or a comment to post.
RUN = "run"
COMMENT = "comment"
STATES = ("queued", "running", "done", "failed", "cancelled")


@dataclass(frozen=True)
class JobSpec:
    """What a webhook asks for; the queue adds the bookkeeping."""

    kind: str
    installation_id: int
    repo: str
    #: ``push``: the commit the delivery announced; a run skips itself when the default
    #: branch has moved past it (superseded).
    head_sha: str | None = None
    ref: str | None = None
    #: ``FILE::QUALNAME`` for ``/eco optimize``; None runs on the whole repository.
    target: str | None = None
    #: Issue or PR to reply on (``issue_comment`` commands).
    issue_number: int | None = None
    #: The comment to post, for ``comment`` jobs.
    body: str | None = None


@dataclass(frozen=True)
class Job:
    id: int
    spec: JobSpec
    delivery: str
    state: str
    attempts: int
    reason: str
    cancel_requested: bool


@dataclass(frozen=True)
class Accepted:
    """What `JobQueue.accept` did with a delivery."""

    duplicate: bool
    job_ids: tuple[int, ...] = ()
    cancelled: int = 0


class JobQueue:
    """The queue in ``path``; safe to share between threads (one connection, one lock)."""

    def __init__(self, path: Path, *, lease_s: float = 60.0, max_attempts: int = 3,
                 retry_base_s: float = 60.0, per_installation: int = 1, jobs_per_hour: int = 30) -> None:
        self.path = path
        self.lease_s = lease_s
        self.max_attempts = max_attempts
        self.retry_base_s = retry_base_s
        self.per_installation = per_installation
        self.jobs_per_hour = jobs_per_hour
        self._lock = threading.Lock()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(_SCHEMA)
            row = self._db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
            if row is None:
                self._db.execute("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
            elif row[0] != str(SCHEMA_VERSION):
                raise StateError(f"{path}: job queue schema {row[0]}, this eco reads {SCHEMA_VERSION}; "
                                 "finish or move the old queue and restart eco serve")
        except sqlite3.DatabaseError as exc:
            raise StateError(f"{path}: not a readable job queue ({exc}); move it aside to start afresh") from exc

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (``BEGIN IMMEDIATE``), committed on exit, rolled back on error."""
        with self._lock:
            if not self.path.exists():  # removed under us: writes would go to a deleted file
                raise StateError(f"{self.path}: the job queue file is gone; restart eco serve")
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    # -- deliveries -------------------------------------------------------------------

    def seen(self, delivery: str) -> bool:
        with self._lock:
            return self._db.execute("SELECT 1 FROM deliveries WHERE id=?", (delivery,)).fetchone() is not None

    def accept(self, delivery: str, event: str, specs: Sequence[JobSpec] = (), *, outcome: str = "",
               cancel: tuple[int, str | None] | None = None, supersede: bool = False,
               now: float | None = None) -> Accepted:
        """Record ``delivery`` and queue ``specs``, all in one committed transaction.

        ``cancel=(installation, repo or None)`` cancels that installation's (repository's)
        queued jobs and asks its running ones to stop. ``supersede`` cancels queued
        whole-repository runs of the same repositories: a newer push makes them stale.
        A delivery id already recorded changes nothing (``duplicate``).
        """
        now = time.time() if now is None else now
        with self._tx() as db:
            try:
                db.execute("INSERT INTO deliveries VALUES (?, ?, ?, ?)",
                           (delivery, event, now, outcome or (f"{len(specs)} job(s)" if specs else "no job")))
            except sqlite3.IntegrityError:
                return Accepted(duplicate=True)
            cancelled = 0
            if cancel is not None:
                cancelled = self._cancel(db, cancel[0], cancel[1], f"cancelled by delivery {delivery}", now)
            if supersede:
                for spec in specs:
                    cur = db.execute(
                        "UPDATE jobs SET state='cancelled', finished_at=?, reason=? WHERE state='queued' "
                        "AND kind=? AND installation_id=? AND repo=? AND target IS NULL",
                        (now, f"superseded by delivery {delivery}", RUN, spec.installation_id, spec.repo))
                    cancelled += cur.rowcount
            ids = []
            for spec in specs:
                cur = db.execute(
                    "INSERT INTO jobs (kind, installation_id, repo, head_sha, ref, target, issue_number, body, "
                    "delivery, state, not_before, created_at) VALUES (?,?,?,?,?,?,?,?,?,'queued',?,?)",
                    (spec.kind, spec.installation_id, spec.repo, spec.head_sha, spec.ref, spec.target,
                     spec.issue_number, spec.body, delivery, now, now))
                ids.append(int(cur.lastrowid or 0))
            return Accepted(duplicate=False, job_ids=tuple(ids), cancelled=cancelled)

    def enqueue(self, spec: JobSpec, delivery: str, now: float | None = None) -> int:
        """Queue one more job for a delivery already recorded (a worker's follow-up comment)."""
        now = time.time() if now is None else now
        with self._tx() as db:
            cur = db.execute(
                "INSERT INTO jobs (kind, installation_id, repo, head_sha, ref, target, issue_number, body, "
                "delivery, state, not_before, created_at) VALUES (?,?,?,?,?,?,?,?,?,'queued',?,?)",
                (spec.kind, spec.installation_id, spec.repo, spec.head_sha, spec.ref, spec.target,
                 spec.issue_number, spec.body, delivery, now, now))
            return int(cur.lastrowid or 0)

    @staticmethod
    def _cancel(db: sqlite3.Connection, installation: int, repo: str | None, reason: str, now: float) -> int:
        where = "installation_id=?" + (" AND repo=?" if repo is not None else "")
        args: tuple[object, ...] = (installation, repo) if repo is not None else (installation,)
        cur = db.execute(f"UPDATE jobs SET state='cancelled', finished_at=?, reason=? "
                         f"WHERE state='queued' AND kind=? AND {where}", (now, reason, RUN, *args))
        asked = db.execute(f"UPDATE jobs SET cancel_requested=1 WHERE state='running' AND kind=? AND {where}",
                           (RUN, *args))
        return cur.rowcount + asked.rowcount

    # -- workers ----------------------------------------------------------------------

    def recover(self, now: float | None = None) -> int:
        """At start-up: every ``running`` job goes back to the queue (its worker is gone),
        or to ``failed`` when it has used all its attempts. Returns how many were requeued."""
        now = time.time() if now is None else now
        with self._tx() as db:
            db.execute("UPDATE jobs SET state='failed', finished_at=?, lease_until=NULL, "
                       "reason='interrupted on every attempt (' || attempts || ')' "
                       "WHERE state='running' AND attempts>=?", (now, self.max_attempts))
            db.execute("UPDATE jobs SET state='cancelled', finished_at=?, lease_until=NULL, "
                       "reason='stopped on request' WHERE state='running' AND cancel_requested=1", (now,))
            cur = db.execute("UPDATE jobs SET state='queued', lease_until=NULL, not_before=? "
                             "WHERE state='running'", (now,))
            return cur.rowcount

    def claim(self, now: float | None = None) -> Job | None:
        """The oldest job that may run now, leased to the caller; None when there is none.

        A run waits while its installation already has ``per_installation`` runs going, or
        has started ``jobs_per_hour`` in the last hour. Comment jobs skip both limits.
        """
        now = time.time() if now is None else now
        with self._tx() as db:
            db.execute("DELETE FROM starts WHERE at < ?", (now - 3600,))
            db.execute("UPDATE jobs SET state='failed', finished_at=?, lease_until=NULL, "
                       "reason='lease expired on every attempt (' || attempts || ')' "
                       "WHERE state='running' AND lease_until < ? AND attempts>=?",
                       (now, now, self.max_attempts))
            rows = db.execute(
                "SELECT id, kind, installation_id FROM jobs WHERE (state='queued' AND not_before<=?) "
                "OR (state='running' AND lease_until<?) ORDER BY id", (now, now)).fetchall()
            for job_id, kind, installation in rows:
                if kind == RUN:
                    running = db.execute(
                        "SELECT count(*) FROM jobs WHERE state='running' AND kind=? AND installation_id=? "
                        "AND lease_until>=?", (RUN, installation, now)).fetchone()[0]
                    started = db.execute("SELECT count(*) FROM starts WHERE installation_id=?",
                                         (installation,)).fetchone()[0]
                    if running >= self.per_installation or started >= self.jobs_per_hour:
                        continue
                    db.execute("INSERT INTO starts VALUES (?, ?)", (installation, now))
                db.execute("UPDATE jobs SET state='running', attempts=attempts+1, lease_until=?, started_at=? "
                           "WHERE id=?", (now + self.lease_s, now, job_id))
                return self._job(db, job_id)
            return None

    def renew(self, job_id: int, now: float | None = None) -> bool:
        """Extend a running job's lease; False when the job was asked to stop or is no longer running."""
        now = time.time() if now is None else now
        with self._tx() as db:
            db.execute("UPDATE jobs SET lease_until=? WHERE id=? AND state='running'", (now + self.lease_s, job_id))
            row = db.execute("SELECT state, cancel_requested FROM jobs WHERE id=?", (job_id,)).fetchone()
        return row is not None and row[0] == "running" and not row[1]

    def finish(self, job_id: int, state: str, reason: str = "", now: float | None = None) -> None:
        """End a job: ``done``, ``failed`` or ``cancelled``."""
        assert state in ("done", "failed", "cancelled")
        now = time.time() if now is None else now
        with self._tx() as db:
            db.execute("UPDATE jobs SET state=?, reason=?, finished_at=?, lease_until=NULL "
                       "WHERE id=? AND state='running'", (state, reason, now, job_id))

    def retry(self, job_id: int, reason: str, now: float | None = None) -> str:
        """A failed attempt: back to the queue after a doubling delay, or ``failed`` when
        attempts are used up. Returns the new state."""
        now = time.time() if now is None else now
        with self._tx() as db:
            row = db.execute("SELECT attempts, cancel_requested FROM jobs WHERE id=?", (job_id,)).fetchone()
            if row is None:
                return "missing"
            attempts, cancel = row
            if cancel:
                state, delay = "cancelled", 0.0
            elif attempts >= self.max_attempts:
                state, delay = "failed", 0.0
            else:
                state, delay = "queued", self.retry_base_s * 2 ** (attempts - 1)
            db.execute("UPDATE jobs SET state=?, reason=?, not_before=?, lease_until=NULL, finished_at=? "
                       "WHERE id=? AND state='running'",
                       (state, reason, now + delay, None if state == "queued" else now, job_id))
            return state

    def cancel(self, installation: int, repo: str | None, reason: str, now: float | None = None) -> int:
        now = time.time() if now is None else now
        with self._tx() as db:
            return self._cancel(db, installation, repo, reason, now)

    # -- reading ----------------------------------------------------------------------

    def readable(self) -> bool:
        """For ``/healthz``: the file answers a query."""
        try:
            with self._lock:
                self._db.execute("SELECT count(*) FROM jobs").fetchone()
            return self.path.exists()
        except sqlite3.Error:
            return False

    def get(self, job_id: int) -> Job | None:
        with self._lock:
            return self._job(self._db, job_id)

    def jobs(self) -> list[Job]:
        with self._lock:
            ids = [r[0] for r in self._db.execute("SELECT id FROM jobs ORDER BY id")]
            return [job for i in ids if (job := self._job(self._db, i)) is not None]

    @staticmethod
    def _job(db: sqlite3.Connection, job_id: int) -> Job | None:
        row = db.execute(
            "SELECT id, kind, installation_id, repo, head_sha, ref, target, issue_number, body, delivery, "
            "state, attempts, reason, cancel_requested FROM jobs WHERE id=?", (job_id,)).fetchone()
        if row is None:
            return None
        spec = JobSpec(kind=row[1], installation_id=row[2], repo=row[3], head_sha=row[4], ref=row[5],
                       target=row[6], issue_number=row[7], body=row[8])
        return Job(id=row[0], spec=spec, delivery=row[9], state=row[10], attempts=row[11], reason=row[12],
                   cancel_requested=bool(row[13]))


__all__ = ["COMMENT", "RUN", "STATES", "Accepted", "Job", "JobQueue", "JobSpec"]
