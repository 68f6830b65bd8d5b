"""The precedent index on disk: build, open, add, delete, query.

An index directory holds four files:

- ``manifest.json``: format version, embedder and its version, view, dimension, count,
  index type, checksums of the source data (catalog files, edits database rows) and of the
  other three files.
- ``vectors.faiss``: the FAISS index (ids are edits-database row ids, catalog entries
  above ``CATALOG_ID_BASE``).
- ``precedents.jsonl``: one `Precedent` per line, by id.
- ``embedder.npz``: what the embedder needs to embed queries the same way (BoW's IDF).

Format history (``format_version``): 1, the first (flat or HNSW in an ``IndexIDMap2``);
2, adds IVF (``IndexIVFFlat``, ids kept by the IVF itself), hybrid embedders and the
manifest's ``index_params``/``embedder_params``. Version 1 indexes are still read.

Anything unreadable (missing, truncated, corrupt, another embedder or dimension, a newer
format, an edits database newer than this eco) raises `StateError` naming the file and the
command that rebuilds it. Nothing is overwritten unless the caller asks to rebuild.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import sqlite3
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from eco import __version__
from eco.errors import ConfigError, StateError
from eco.index.embedders import Embedder, get_embedder
from eco.index.records import IndexStats, Precedent
from eco.index.vectors import APPROX_AT, VectorIndex
from eco.index.views import VIEWS, view_text

__all__ = ["CATALOG_ID_BASE", "FORMAT_VERSION", "PrecedentIndex", "catalog_checksum",
           "catalog_precedents", "read_edits"]

FORMAT_VERSION = 2
CATALOG_ID_BASE = 1 << 40
CATALOG_REPO = "eco/antipatterns"
MANIFEST = "manifest.json"
VECTORS = "vectors.faiss"
ROWS = "precedents.jsonl"
STATE = "embedder.npz"


def rebuild_command(directory: Path, catalog_only: bool = False) -> str:
    extra = " --catalog-only" if catalog_only else ""
    return f"`eco index build --rebuild{extra} --index {directory}`"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def catalog_checksum(directory: Path | None = None) -> str:
    """sha256 over the catalog's data files (names and bytes, sorted by name)."""
    from eco.catalog import default_directory

    directory = directory or default_directory()
    h = hashlib.sha256()
    for path in sorted(directory.glob("*.toml")):
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def _unified(before: str, after: str, file: str) -> str:
    import difflib

    return "".join(difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                        f"a/{file}", f"b/{file}"))


def catalog_precedents(directory: Path | None = None) -> list[Precedent]:
    """One precedent per catalog entry: its before/after example."""
    from eco.catalog import load_catalog

    out = []
    for i, entry in enumerate(load_catalog(directory) if directory else load_catalog()):
        before = entry.before.strip("\n") + "\n"
        after = entry.after.strip("\n") + "\n"
        file = f"antipatterns/{entry.id}.toml"
        qualname = before.split("def ", 1)[1].split("(", 1)[0] if "def " in before else entry.id
        out.append(Precedent(repo=CATALOG_REPO, sha=entry.id, file=file, qualname=qualname,
                             before=before, after=after, message=f"{entry.title}\n\n{entry.why.strip()}",
                             diff=_unified(before, after, file), antipatterns=(entry.id,),
                             category=entry.category, id=CATALOG_ID_BASE + i))
    return out


def read_edits(db_path: Path) -> tuple[list[Precedent], str]:
    """Every stored edit of an edits database, opened read-only; and a checksum of the rows."""
    from eco.mine import SCHEMA_VERSION

    if not db_path.exists():
        return [], ""
    hint = f"run `eco mine --db {db_path}` to rebuild it"
    try:
        con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            version = int(row[0]) if row else -1
            if version > SCHEMA_VERSION:
                raise StateError(f"{db_path}: edits database schema version {version} is newer than this eco "
                                 f"({__version__}) can read (up to {SCHEMA_VERSION}); upgrade eco")
            if version < 1:
                raise StateError(f"{db_path}: not an eco edits database (no schema version); {hint}")
            cols = {r[1] for r in con.execute("PRAGMA table_info(edits)")}
            fp = "fingerprint" if "fingerprint" in cols else "''"
            rows = con.execute(
                "SELECT edits.id, repos.name, sha, file, qualname, before, after, message, diff, antipatterns, "
                f"{fp} FROM edits JOIN repos ON repos.id = edits.repo_id ORDER BY edits.id").fetchall()
        finally:
            con.close()
    except (sqlite3.Error, ValueError) as exc:
        raise StateError(f"{db_path}: not a readable eco edits database ({exc}); {hint}") from exc
    h = hashlib.sha256()
    out = []
    for r in rows:
        h.update(f"{r[0]}:{r[10]}\n".encode())
        out.append(Precedent(repo=r[1], sha=r[2], file=r[3], qualname=r[4], before=r[5], after=r[6],
                             message=r[7], diff=r[8], antipatterns=tuple(json.loads(r[9] or "[]")), id=int(r[0])))
    return out, h.hexdigest()


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    os.chmod(tmp, 0o644)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


@dataclass
class PrecedentIndex:
    """An open index directory."""

    directory: Path
    embedder: Embedder
    view: str
    vectors: VectorIndex
    rows: dict[int, Precedent]
    catalog_sha256: str = ""
    db_sha256: str = ""
    db_path: str = ""
    #: True when the index type was asked for (``--index-type``), not picked by size.
    type_forced: bool = False

    # --- building ----------------------------------------------------------------------

    @classmethod
    def create(cls, directory: Path, embedder: Embedder, view: str, precedents: Sequence[Precedent],
               approx_at: int = APPROX_AT, kind: str | None = None) -> PrecedentIndex:
        """A new index over ``precedents`` (the embedder is fitted on them). Not yet saved.

        Args:
            approx_at: From this many precedents on, the index is approximate (HNSW, IVF from 500K).
            kind: ``flat``, ``ivf`` or ``hnsw`` regardless of size; None picks by size.
        """
        if view not in VIEWS:
            raise StateError(f"unknown view {view!r} (known: {', '.join(VIEWS)})")
        texts = [view_text(view, p.before, p.diff) for p in precedents]
        embedder.fit(texts)
        vecs = embedder.embed(texts) if texts else np.zeros((0, embedder.dimension), dtype=np.float32)
        vindex = VectorIndex.build(vecs, [p.id for p in precedents], kind=kind, approx_at=approx_at)
        return cls(directory, embedder, view, vindex, {p.id: p for p in precedents})

    def _add(self, precedents: Sequence[Precedent], texts: Sequence[str] | None = None) -> None:
        if not precedents:
            return
        texts = texts if texts is not None else [view_text(self.view, p.before, p.diff) for p in precedents]
        self.vectors.add(self.embedder.embed(texts), [p.id for p in precedents])
        for p in precedents:
            self.rows[p.id] = p

    def add(self, precedents: Iterable[Precedent]) -> int:
        """Add precedents whose ids are new (incremental: the embedder is not refitted)."""
        new = [p for p in precedents if p.id not in self.rows]
        self._add(new)
        return len(new)

    def delete(self, ids: Iterable[int]) -> int:
        """Remove these ids (edits later reverted, or gone from the database)."""
        drop = [i for i in ids if i in self.rows]
        removed = self.vectors.remove(drop)
        for i in drop:
            del self.rows[i]
        return removed

    # --- reading -----------------------------------------------------------------------

    def query(self, code: str, k: int = 5, diff: str = "", boost: Sequence[str] = (),
              boost_weight: float = 0.1) -> list[Precedent]:
        """The ``k`` precedents most similar to ``code``.

        Args:
            code: A function's source (or a diff's text).
            k: How many to return.
            diff: The query's own diff, when it has one (diff views embed it).
            boost: Catalog ids detected in ``code``: precedents that fix one of them gain
                ``boost_weight`` (re-ranking over the top ``4 * k``).
        """
        if not self.rows:
            return []
        qv = self.embedder.embed([view_text(self.view, code, diff)])
        scores, ids = self.vectors.search(qv, k * 4 if boost else k)
        wanted = set(boost)
        hits = []
        for score, i in zip(scores[0], ids[0], strict=True):
            if i < 0 or int(i) not in self.rows:
                continue
            p = self.rows[int(i)]
            s = float(score) + (boost_weight if wanted.intersection(p.antipatterns) else 0.0)
            hits.append(Precedent(**{**p.__dict__, "score": s}))
        hits.sort(key=lambda p: -p.score)
        return hits[:k]

    def stats(self) -> IndexStats:
        catalog = sum(1 for i in self.rows if i >= CATALOG_ID_BASE)
        stale = bool(self.catalog_sha256) and self.catalog_sha256 != catalog_checksum()
        return IndexStats(directory=str(self.directory), embedder=self.embedder.name,
                          embedder_version=self.embedder.version, view=self.view,
                          dimension=self.embedder.dimension, count=len(self.vectors),
                          catalog_entries=catalog, mined_edits=len(self.rows) - catalog,
                          index_type=self.vectors.kind, index_params=self.vectors.params(),
                          format_version=FORMAT_VERSION, stale=stale)

    # --- files -------------------------------------------------------------------------

    def save(self) -> None:
        d = self.directory
        d.mkdir(parents=True, exist_ok=True)
        rows = "".join(json.dumps(self.rows[i].to_row(), sort_keys=True) + "\n" for i in sorted(self.rows))
        rows_b = rows.encode()
        buf = io.BytesIO()
        arrays: dict[str, Any] = {k: np.asarray(v) for k, v in self.embedder.state().items()}
        np.savez(buf, allow_pickle=False, **arrays)
        state_b = buf.getvalue()
        vec_tmp = d / f".{VECTORS}.tmp"
        self.vectors.save(vec_tmp)
        vec_b = vec_tmp.read_bytes()
        os.replace(vec_tmp, d / VECTORS)
        _write_atomic(d / ROWS, rows_b)
        _write_atomic(d / STATE, state_b)
        manifest = {
            "format_version": FORMAT_VERSION, "eco_version": __version__,
            "embedder": self.embedder.name, "embedder_version": self.embedder.version,
            "view": self.view, "dimension": self.embedder.dimension, "count": len(self.vectors),
            "index_type": self.vectors.kind, "index_params": self.vectors.params(),
            "index_type_forced": self.type_forced,
            "embedder_params": {"alpha": a} if (a := getattr(self.embedder, "alpha", None)) is not None else {},
            "catalog_sha256": self.catalog_sha256,
            "db_sha256": self.db_sha256, "db": self.db_path,
            "files": {VECTORS: _sha256(vec_b), ROWS: _sha256(rows_b), STATE: _sha256(state_b)},
        }
        _write_atomic(d / MANIFEST, (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode())

    @classmethod
    def open(cls, directory: Path, embedder: Embedder | None = None) -> PrecedentIndex:
        """Open a saved index; `StateError` naming the file when anything is off.

        Args:
            embedder: Use this (already loaded) embedder; it must match the manifest's.
        """
        manifest_path = directory / MANIFEST
        fix = rebuild_command(directory)
        if not manifest_path.is_file():
            raise StateError(f"{manifest_path}: no index here; build one with `eco index build --index {directory}`")
        try:
            m = json.loads(manifest_path.read_text(encoding="utf-8"))
            version, name, dim = int(m["format_version"]), str(m["embedder"]), int(m["dimension"])
            files = dict(m["files"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise StateError(f"{manifest_path}: not a readable index manifest ({exc}); rebuild with {fix}") from exc
        if version > FORMAT_VERSION:
            raise StateError(f"{manifest_path}: index format {version} is newer than this eco ({__version__}) "
                             f"reads (up to {FORMAT_VERSION}); upgrade eco or rebuild with {fix}")
        blobs = {}
        for fname in (VECTORS, ROWS, STATE):
            path = directory / fname
            try:
                blobs[fname] = path.read_bytes()
            except OSError as exc:
                raise StateError(f"{path}: cannot be read ({exc.strerror}); rebuild with {fix}") from exc
            if _sha256(blobs[fname]) != files.get(fname):
                raise StateError(f"{path}: truncated or corrupt (checksum differs from {manifest_path}); "
                                 f"rebuild with {fix}")
        if embedder is None:
            try:
                embedder = get_embedder(name)
            except ConfigError as exc:
                raise StateError(f"{manifest_path}: built with embedder {name}, which cannot be loaded here ({exc}); "
                                 f"install it, or rebuild with `eco index build --rebuild --embedder bow "
                                 f"--index {directory}`") from exc
        if embedder.name != name or embedder.version != str(m.get("embedder_version")):
            raise StateError(f"{manifest_path}: built with embedder {name} {m.get('embedder_version')}, "
                             f"not {embedder.name} {embedder.version}; rebuild with {fix}")
        if embedder.dimension != dim:
            raise StateError(f"{manifest_path}: dimension {dim}, but embedder {name} gives "
                             f"{embedder.dimension}; rebuild with {fix}")
        try:
            with np.load(io.BytesIO(blobs[STATE])) as state:
                embedder.load_state({k: state[k] for k in state.files})
            vectors = VectorIndex.load(directory / VECTORS, dim)
            rows = {}
            for line in blobs[ROWS].decode().splitlines():
                p = Precedent.from_row(json.loads(line))
                rows[p.id] = p
        except (ValueError, KeyError, OSError) as exc:
            raise StateError(f"{directory}: index files disagree with {manifest_path} ({exc}); "
                             f"rebuild with {fix}") from exc
        if len(vectors) != len(rows) or len(rows) != int(m.get("count", -1)):
            raise StateError(f"{directory / VECTORS}: {len(vectors)} vectors, {len(rows)} precedents, manifest "
                             f"says {m.get('count')}; rebuild with {fix}")
        return cls(directory, embedder, str(m.get("view", "before")), vectors, rows,
                   catalog_sha256=str(m.get("catalog_sha256", "")), db_sha256=str(m.get("db_sha256", "")),
                   db_path=str(m.get("db", "")), type_forced=bool(m.get("index_type_forced", False)))

    def manifest_file(self) -> Path:
        return self.directory / MANIFEST


def manifest_of(directory: Path) -> dict[str, Any]:
    return dict(json.loads((directory / MANIFEST).read_text(encoding="utf-8")))
