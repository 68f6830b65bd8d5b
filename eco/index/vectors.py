"""The only module that touches faiss: dtype, dimension, ids and index type live here.

Vectors are unit length, so inner product is cosine similarity. Ids are int64 row ids
(`IndexIDMap`); faiss answers -1 for "no result", which never reaches callers. The index
is exact (`IndexFlatIP`) while small and HNSW (M=32) from `HNSW_AT` vectors on.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import faiss
import numpy as np
import numpy.typing as npt

__all__ = ["HNSW_AT", "VectorIndex"]

#: From this many vectors on, a new index is HNSW instead of exact.
HNSW_AT = 50_000
#: Batches up to this many queries are searched on one thread.
_FEW = 16


def _as_vectors(x: Any, dim: int) -> npt.NDArray[np.float32]:
    arr = np.ascontiguousarray(x, dtype=np.float32)
    if arr.ndim == 1:
        arr = arr.reshape(1, -1)
    if arr.ndim != 2 or arr.shape[1] != dim:
        raise ValueError(f"vectors of shape {arr.shape}, the index has dimension {dim}")
    return arr


def _as_ids(ids: Any) -> npt.NDArray[np.int64]:
    return np.ascontiguousarray(ids, dtype=np.int64).reshape(-1)


class VectorIndex:
    """An id-mapped FAISS index of unit vectors."""

    def __init__(self, index: Any, dimension: int) -> None:
        self.index = index
        self.dimension = dimension

    @classmethod
    def empty(cls, dimension: int, kind: str = "flat") -> VectorIndex:
        """A new index: ``flat`` (exact inner product) or ``hnsw``."""
        inner: Any
        if kind == "hnsw":
            inner = faiss.IndexHNSWFlat(dimension, 32, faiss.METRIC_INNER_PRODUCT)
            inner.hnsw.efConstruction = 80
            # 256: recall@10 0.80 at ~0.4 ms on hard synthetic data (64: 0.45); see benchmarks/index_speed.py
            inner.hnsw.efSearch = 256
        elif kind == "flat":
            inner = faiss.IndexFlatIP(dimension)
        else:
            raise ValueError(f"unknown index kind {kind!r}")
        return cls(faiss.IndexIDMap2(inner), dimension)

    @classmethod
    def for_size(cls, dimension: int, n: int, hnsw_at: int = HNSW_AT) -> VectorIndex:
        return cls.empty(dimension, "hnsw" if n >= hnsw_at else "flat")

    @property
    def kind(self) -> str:
        inner = faiss.downcast_index(self.index.index)
        return "hnsw" if isinstance(inner, faiss.IndexHNSW) else "flat"

    def __len__(self) -> int:
        return int(self.index.ntotal)

    def add(self, vectors: Any, ids: Any) -> None:
        vecs = _as_vectors(vectors, self.dimension)
        idarr = _as_ids(ids)
        if len(idarr) != len(vecs):
            raise ValueError(f"{len(vecs)} vectors but {len(idarr)} ids")
        if len(vecs):
            self.index.add_with_ids(vecs, idarr)

    def ids(self) -> npt.NDArray[np.int64]:
        return np.asarray(faiss.vector_to_array(self.index.id_map), dtype=np.int64)

    def vectors(self) -> npt.NDArray[np.float32]:
        inner = faiss.downcast_index(self.index.index)
        n = int(inner.ntotal)
        if n == 0:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.asarray(inner.reconstruct_n(0, n), dtype=np.float32)

    def remove(self, ids: Any) -> int:
        """Remove these ids; HNSW cannot delete in place, so it is rebuilt without them."""
        drop = _as_ids(ids)
        if not len(drop) or not len(self):
            return 0
        if self.kind == "flat":
            return int(self.index.remove_ids(faiss.IDSelectorBatch(drop)))
        have = self.ids()
        keep = ~np.isin(have, drop)
        vecs = self.vectors()[keep]
        fresh = VectorIndex.for_size(self.dimension, int(keep.sum()))
        fresh.add(vecs, have[keep])
        removed = len(have) - int(keep.sum())
        self.index = fresh.index
        return removed

    def search(self, queries: Any, k: int) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int64]]:
        """Top ``k`` (scores, ids) per query; missing results are id -1, score -inf."""
        q = _as_vectors(queries, self.dimension)
        k = max(1, min(k, max(1, len(self))))
        if len(q) <= _FEW:
            # One query gains nothing from threads, and OpenMP's spinning workers cost
            # ~75 ms per query on a loaded 2-core machine (1.2 ms with one thread).
            threads = faiss.omp_get_max_threads()
            faiss.omp_set_num_threads(1)
            try:
                scores, ids = self.index.search(q, k)
            finally:
                faiss.omp_set_num_threads(threads)
        else:
            scores, ids = self.index.search(q, k)
        scores = np.where(ids < 0, -np.inf, scores).astype(np.float32)
        return scores, ids.astype(np.int64)

    def save(self, path: Path) -> None:
        faiss.write_index(self.index, str(path))

    @classmethod
    def load(cls, path: Path, dimension: int) -> VectorIndex:
        """Raises `ValueError` (translated by the caller) when the file is unreadable."""
        try:
            index = faiss.read_index(str(path))
        except RuntimeError as exc:
            raise ValueError(str(exc).splitlines()[0] if str(exc) else "unreadable") from exc
        if index.d != dimension:
            raise ValueError(f"dimension {index.d}, the manifest says {dimension}")
        return cls(index, dimension)
