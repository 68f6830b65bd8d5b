"""What the mine stage hands on: frozen, pickleable records made at the git boundary.

Nothing here holds a git object or an open handle, so every record survives a process
pool or a Dask worker and can be written to the edits database as it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "CommitOutcome",
    "FunctionVerdict",
    "MineOptions",
    "MineReport",
    "MinedEdit",
    "Problem",
    "Signal",
]


@dataclass(frozen=True)
class Signal:
    """One piece of evidence the classifier weighed."""

    #: Which family: ``message``, ``negative``, ``trailer``, ``changelog``, ``static``, ``shape``.
    kind: str
    #: Log-odds added to the score (negative for evidence against).
    weight: float
    #: What was seen, for a human: the matched phrase, the trailer, the detector ids.
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "weight": self.weight, "detail": self.detail}


@dataclass(frozen=True)
class MinedEdit:
    """One function-level edit of one commit, classified as performance work."""

    #: Repository name: ``owner/name`` from its origin remote, else its absolute path.
    repo: str
    sha: str
    #: Author date, ISO 8601.
    date: str
    #: ``Name <email>``.
    author: str
    message: str
    #: Path after the commit, relative to the repository root.
    file: str
    #: Dotted qualname, as `eco.pysource` gives it.
    qualname: str
    #: The function's source before and after the commit (decorators included).
    before: str
    after: str
    #: Unified diff of the function alone (``a/<old path>``, ``b/<path>``).
    diff: str
    #: Catalog ids detected in ``before`` and not in ``after``.
    antipatterns: tuple[str, ...]
    #: Probability-like score in [0, 1].
    score: float
    signals: tuple[Signal, ...]
    #: Hash of the normalised before/after pair: the same edit reached by cherry-pick or
    #: rebase has the same fingerprint and is stored once.
    fingerprint: str
    #: The path before the commit when the file was renamed, else equal to ``file``.
    old_file: str = ""

    def summary(self) -> dict[str, Any]:
        """The JSON object `eco mine --json` prints for a stored edit."""
        return {
            "repo": self.repo,
            "sha": self.sha,
            "file": self.file,
            "qualname": self.qualname,
            "score": round(self.score, 4),
            "signals": [s.as_dict() for s in self.signals],
            "antipatterns": list(self.antipatterns),
        }


@dataclass(frozen=True)
class Problem:
    """Something mining could not read; reported with where it happened, then skipped."""

    repo: str
    #: Commit, ``""`` when the problem is with the repository as a whole.
    sha: str
    #: File path at that commit, ``""`` when not about one file.
    file: str
    message: str

    def __str__(self) -> str:
        where = self.repo
        if self.sha:
            where += f"@{self.sha[:12]}"
        if self.file:
            where += f":{self.file}"
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class FunctionVerdict:
    """What became of one changed function of a commit (kept for `--explain`)."""

    file: str
    qualname: str
    #: Why the edit was dropped (``whitespace-only``, ``vendored``...), ``""`` when kept.
    dropped: str
    antipatterns: tuple[str, ...]
    signals: tuple[Signal, ...]
    score: float


@dataclass(frozen=True)
class CommitOutcome:
    """One commit as mined: stored in the database so a later run skips it."""

    sha: str
    #: ``mined``, ``root``, ``grafted``, ``merge``, ``revert``, ``reverted``, ``unreadable``.
    status: str
    #: The best score of its edits (the commit-level score when no function changed).
    score: float
    #: Number of edits stored from it.
    edits: int
    subject: str = ""


@dataclass(frozen=True)
class MineOptions:
    """How to mine; the same object travels to every worker."""

    #: ``git rev-list`` range (``A..B``), default ``HEAD``.
    rev: str | None = None
    #: Only commits after this date (anything ``git log --since`` accepts).
    since: str | None = None
    #: Mine at most this many (newest) commits not mined before.
    max_commits: int | None = None
    #: Edits scoring below this are not stored.
    min_score: float = 0.5
    #: Files larger than this are skipped and reported.
    max_file_bytes: int = 1_000_000
    #: Commits per batch: one task for a worker, one transaction in the database.
    batch_size: int = 200
    #: Commits changing more functions than this are treated as sweeping refactors.
    sweeping_functions: int = 20


@dataclass
class MineReport:
    """Totals of one `mine` run, for the closing summary line."""

    repos: list[str] = field(default_factory=list)
    commits: int = 0
    skipped_known: int = 0
    edits: int = 0
    duplicates: int = 0
    excluded: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    seconds: float = 0.0
