"""The stage's entries: build (or update) an index, and open the one to query."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from eco.errors import StateError
from eco.index.embedders import get_embedder
from eco.index.store import (
    CATALOG_ID_BASE,
    MANIFEST,
    PrecedentIndex,
    catalog_checksum,
    catalog_precedents,
    manifest_of,
    read_edits,
)
from eco.index.vectors import APPROX_AT, VectorIndex, kind_for_size

__all__ = ["DEFAULT_EMBEDDER", "DEFAULT_VIEW", "BuildReport", "build_index", "default_index_dir",
           "open_index", "shipped_index_dir"]

#: Chosen by benchmarks/index_quality.py (see benchmarks/README.md).
DEFAULT_EMBEDDER = "bow"
DEFAULT_VIEW = "before+diff"


@dataclass(frozen=True)
class BuildReport:
    directory: str
    rebuilt: bool
    added: int
    deleted: int
    count: int


def shipped_index_dir() -> Path:
    """``index/`` of the source tree (or the installed package's copy)."""
    here = Path(__file__).resolve().parent
    packaged = here / "data"
    return packaged if packaged.is_dir() else here.parents[1] / "index"


def default_index_dir(root: Path) -> Path:
    return root / ".eco" / "index"


def build_index(directory: Path, db: Path | None = None, *, catalog_only: bool = False,
                embedder: str | None = None, view: str | None = None, rebuild: bool = False,
                catalog_dir: Path | None = None, approx_at: int = APPROX_AT,
                index_type: str | None = None) -> BuildReport:
    """Build the index of the catalog examples and the edits database ``db``.

    An existing index is updated in place (new edits added, edits gone from the database,
    e.g. reverted, deleted) when it was built with the same embedder and view and the catalog
    did not change; otherwise `StateError` unless ``rebuild``. An index that cannot be read
    is never overwritten without ``rebuild``.

    Args:
        approx_at: From this many precedents on, a new index is approximate (HNSW, IVF from 500K) instead of exact.
        index_type: ``flat``, ``ivf`` or ``hnsw`` whatever the size (None: by size). An
            update re-picks the type by the new size unless a type was asked for, now or
            when the index was built.
    """
    edits, db_sum = ([], "") if catalog_only or db is None else read_edits(db)
    cat_sum = catalog_checksum(catalog_dir)
    exists = (directory / MANIFEST).exists()
    if exists and not rebuild:
        m = manifest_of_or_error(directory)
        want_emb, want_view = embedder or m["embedder"], view or m["view"]
        if (want_emb, want_view) != (m["embedder"], m["view"]):
            raise StateError(f"{directory / MANIFEST}: built with embedder {m['embedder']} over {m['view']}; "
                             f"pass --rebuild to replace it with {want_emb} over {want_view}")
        index = PrecedentIndex.open(directory)
        if index.catalog_sha256 == cat_sum:
            keep = {p.id for p in edits}
            gone = [i for i in index.rows if i < CATALOG_ID_BASE and i not in keep]
            deleted = index.delete(gone)
            added = index.add(edits)
            _retype(index, index_type, approx_at)
            index.db_sha256, index.db_path = db_sum, str(db or "")
            index.save()
            return BuildReport(str(directory), False, added, deleted, len(index.rows))
    emb = get_embedder(embedder or DEFAULT_EMBEDDER)
    precedents = catalog_precedents(catalog_dir) + edits
    index = PrecedentIndex.create(directory, emb, view or DEFAULT_VIEW, precedents, approx_at, index_type)
    index.catalog_sha256, index.db_sha256, index.db_path = cat_sum, db_sum, str(db or "")
    index.type_forced = index_type is not None
    index.save()
    return BuildReport(str(directory), True, len(precedents), 0, len(index.rows))


def _retype(index: PrecedentIndex, index_type: str | None, approx_at: int) -> None:
    """After an update, move the vectors to the type the new size calls for (an exact index
    that grew past `APPROX_AT` becomes HNSW), unless a type was asked for. The stored
    vectors are reused: nothing is embedded again."""
    forced = index_type is not None or index.type_forced
    want = index_type or (index.vectors.kind if index.type_forced else kind_for_size(len(index.rows), approx_at))
    if want != index.vectors.kind:
        index.vectors = VectorIndex.build(index.vectors.vectors(), index.vectors.ids(), kind=want)
    index.type_forced = forced


def manifest_of_or_error(directory: Path) -> dict[str, str]:
    try:
        m = manifest_of(directory)
        return {"embedder": str(m["embedder"]), "view": str(m["view"])}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise StateError(f"{directory / MANIFEST}: not a readable index manifest ({exc}); "
                         f"pass --rebuild to replace it") from exc


def open_index(directory: Path | None = None, root: Path | None = None) -> PrecedentIndex:
    """The index in ``directory``; else ``root/.eco/index`` when built; else the shipped one."""
    if directory is not None:
        return PrecedentIndex.open(directory)
    if root is not None and (default_index_dir(root) / MANIFEST).exists():
        return PrecedentIndex.open(default_index_dir(root))
    return PrecedentIndex.open(shipped_index_dir())
