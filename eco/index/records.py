"""What the index stage hands on: frozen, pickleable records."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["IndexStats", "Precedent"]


@dataclass(frozen=True)
class Precedent:
    """One past performance fix (a mined edit or a catalog example) and its similarity."""

    #: Where it came from: ``owner/name`` of a mined repository, or ``eco/antipatterns``.
    repo: str
    #: Commit of a mined edit; the catalog id for a catalog example.
    sha: str
    file: str
    qualname: str
    #: The function before and after the fix.
    before: str
    after: str
    #: Commit message, or the catalog entry's title and why.
    message: str
    #: Unified diff of the function alone.
    diff: str
    #: Catalog ids the fix removes.
    antipatterns: tuple[str, ...]
    #: Catalog category (``loop``, ``data-structure``...), ``""`` for a mined edit.
    category: str = ""
    #: Similarity to the query (inner product of unit vectors, plus any re-ranking boost).
    score: float = 0.0
    #: Row id in the index (the edits database row id, or a catalog id above 2**40).
    id: int = 0

    def as_json(self) -> dict[str, Any]:
        """The object `eco index query --json` prints."""
        return {"repo": self.repo, "sha": self.sha, "file": self.file, "qualname": self.qualname,
                "antipatterns": list(self.antipatterns), "category": self.category,
                "score": round(self.score, 4), "message": self.message, "diff": self.diff}

    def to_row(self) -> dict[str, Any]:
        """The stored form (``precedents.jsonl``), without the score."""
        return {"id": self.id, "repo": self.repo, "sha": self.sha, "file": self.file,
                "qualname": self.qualname, "before": self.before, "after": self.after,
                "message": self.message, "diff": self.diff, "antipatterns": list(self.antipatterns),
                "category": self.category}

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Precedent:
        return cls(repo=row["repo"], sha=row["sha"], file=row["file"], qualname=row["qualname"],
                   before=row["before"], after=row["after"], message=row["message"], diff=row["diff"],
                   antipatterns=tuple(row.get("antipatterns", ())), category=row.get("category", ""),
                   id=int(row["id"]))


@dataclass(frozen=True)
class IndexStats:
    """What `eco index stats` reports."""

    directory: str
    embedder: str
    embedder_version: str
    view: str
    dimension: int
    count: int
    catalog_entries: int
    mined_edits: int
    index_type: str
    #: The index type's search parameters (IVF nlist/nprobe, HNSW M/efSearch), as in the manifest.
    index_params: dict[str, int]
    format_version: int
    #: True when the catalog changed since the index was built.
    stale: bool

    def as_json(self) -> dict[str, Any]:
        return dict(self.__dict__)
