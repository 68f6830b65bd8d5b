"""The SQLite file that holds captured calls: written once by the tracer, read by verify.

Format history (``meta.schema_version``):

1 - tables ``meta(key, value)``, ``functions(id, file, qualname, seen, stored,
    uncapturable, reasons)`` with ``reasons`` a JSON list of strings, and
    ``calls(function_id, seq, blob)`` with ``blob`` a pickle of ``(args_tuple, kwargs_dict)``.
2 - ``calls`` gains ``weight``: how many of the workload's calls this one stands for (1
    for the first calls, more for calls sampled from the rest; `eco.capture.tracer`).
    Capture files are rewritten by every run, so version 1 is not migrated: rerun.

Blobs are pickles of objects from the workload. Only a worker process that runs the
repository's code anyway (the replay and benchmark workers, sandboxed) unpickles them;
this module only moves bytes.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from eco.errors import StateError

__all__ = ["SCHEMA_VERSION", "CaptureStore", "CaptureSummary", "FunctionCapture", "write_store"]

SCHEMA_VERSION = 2
_REBUILD = "rerun `eco suggest` to capture again"

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE functions (
    id INTEGER PRIMARY KEY,
    file TEXT NOT NULL,
    qualname TEXT NOT NULL,
    seen INTEGER NOT NULL,
    stored INTEGER NOT NULL,
    uncapturable INTEGER NOT NULL,
    reasons TEXT NOT NULL,
    UNIQUE (file, qualname)
);
CREATE TABLE calls (
    function_id INTEGER NOT NULL REFERENCES functions (id),
    seq INTEGER NOT NULL,
    blob BLOB NOT NULL,
    weight REAL NOT NULL DEFAULT 1.0,
    PRIMARY KEY (function_id, seq)
);
"""


@dataclass(frozen=True)
class CaptureSummary:
    """What the tracer saw of one function."""

    #: Repository-relative path of the function's file.
    file: str
    qualname: str
    #: Calls observed while the tracer was installed.
    seen: int
    #: Calls stored (at most the per-function limit).
    stored: int
    #: Calls that could not be stored: unpicklable, too big, generator, ``__main__`` objects.
    uncapturable: int
    #: Why, one line per distinct reason with its count.
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class FunctionCapture:
    """Everything captured for one function, as the tracer hands it to `write_store`."""

    summary: CaptureSummary
    #: Pickled ``(args, kwargs)`` in call order.
    calls: tuple[bytes, ...]
    #: Per call, how many of the workload's calls it stands for (empty: 1 each).
    weights: tuple[float, ...] = ()


def write_store(path: Path, functions: Iterable[FunctionCapture]) -> None:
    """Write a complete capture file at ``path`` atomically (temporary file, then rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        with contextlib.closing(sqlite3.connect(tmp)) as db:
            db.executescript(_SCHEMA)
            with db:
                db.execute(
                    "INSERT INTO meta (key, value) VALUES ('schema_version', ?)",
                    (str(SCHEMA_VERSION),),
                )
                for fc in functions:
                    s = fc.summary
                    cur = db.execute(
                        "INSERT INTO functions (file, qualname, seen, stored, uncapturable,"
                        " reasons) VALUES (?, ?, ?, ?, ?, ?)",
                        (
                            s.file,
                            s.qualname,
                            s.seen,
                            s.stored,
                            s.uncapturable,
                            json.dumps(list(s.reasons)),
                        ),
                    )
                    weights = fc.weights or (1.0,) * len(fc.calls)
                    db.executemany(
                        "INSERT INTO calls (function_id, seq, blob, weight) VALUES (?, ?, ?, ?)",
                        ((cur.lastrowid, i, blob, w)
                         for i, (blob, w) in enumerate(zip(fc.calls, weights, strict=True))),
                    )
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


class CaptureStore:
    """Read access to a capture file.

    Raises `StateError` (naming the file and how to rebuild it) when the file is missing,
    is not SQLite, or has another schema version.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise StateError(f"{self.path}: no captured calls found; {_REBUILD}")
        with self._connect() as db:
            try:
                row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            except sqlite3.DatabaseError as exc:
                raise self._unreadable(exc) from exc
        if row is None or row[0] != str(SCHEMA_VERSION):
            found = "none" if row is None else repr(row[0])
            raise StateError(
                f"{self.path}: capture file has schema version {found}, eco reads "
                f"{SCHEMA_VERSION}; {_REBUILD}"
            )

    def _unreadable(self, exc: Exception) -> StateError:
        return StateError(f"{self.path}: cannot read captured calls ({exc}); {_REBUILD}")

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            db = sqlite3.connect(self.path.resolve().as_uri() + "?mode=ro", uri=True)
        except sqlite3.Error as exc:
            raise self._unreadable(exc) from exc
        try:
            yield db
        except sqlite3.DatabaseError as exc:
            raise self._unreadable(exc) from exc
        finally:
            db.close()

    def calls(self, file: str, qualname: str) -> list[bytes]:
        """Pickled ``(args, kwargs)`` blobs for one function, in call order (empty if none)."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT c.blob FROM calls c JOIN functions f ON f.id = c.function_id"
                " WHERE f.file = ? AND f.qualname = ? ORDER BY c.seq",
                (file, qualname),
            ).fetchall()
        return [bytes(r[0]) for r in rows]

    def weights(self, file: str, qualname: str) -> list[float]:
        """Per call of `calls`, how many of the workload's calls it stands for."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT c.weight FROM calls c JOIN functions f ON f.id = c.function_id"
                " WHERE f.file = ? AND f.qualname = ? ORDER BY c.seq",
                (file, qualname),
            ).fetchall()
        return [float(r[0]) for r in rows]

    def summary(self, file: str, qualname: str) -> CaptureSummary | None:
        """What was seen of one function, or None when it was not a capture target."""
        with self._connect() as db:
            row = db.execute(
                "SELECT file, qualname, seen, stored, uncapturable, reasons FROM functions"
                " WHERE file = ? AND qualname = ?",
                (file, qualname),
            ).fetchone()
        return None if row is None else self._summary(row)

    def summaries(self) -> list[CaptureSummary]:
        """Every capture target, ordered by file then qualname."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT file, qualname, seen, stored, uncapturable, reasons FROM functions"
                " ORDER BY file, qualname"
            ).fetchall()
        return [self._summary(r) for r in rows]

    def _summary(self, row: tuple[object, ...]) -> CaptureSummary:
        file, qualname, seen, stored, uncapturable, reasons = row
        try:
            parsed = json.loads(str(reasons))
            if not isinstance(parsed, list):
                raise ValueError("reasons is not a list")
            return CaptureSummary(
                file=str(file),
                qualname=str(qualname),
                seen=int(str(seen)),
                stored=int(str(stored)),
                uncapturable=int(str(uncapturable)),
                reasons=tuple(str(r) for r in parsed),
            )
        except ValueError as exc:
            raise self._unreadable(exc) from exc
