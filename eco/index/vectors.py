"""The only module that touches faiss: dtype, dimension, ids and index type live here.

Vectors are unit length, so inner product is cosine similarity. Ids are int64 row ids;
faiss answers -1 for "no result", which never reaches callers. Three kinds:

- ``flat``: exact inner product (`IndexFlatIP` in an `IndexIDMap2`), while small.
- ``hnsw``: `IndexHNSWFlat` (M=32, efSearch 64) in an `IndexIDMap2`, from `APPROX_AT`
  vectors. Measured on 100K embedded real functions (benchmarks/index_speed.py): recall@10
  0.93 at p50 0.5 ms, where IVF needed nprobe 64 for 0.91 at 1.2 ms and exact search took
  35 ms. It cannot delete in place: a removal rebuilds it (97 s at 100K on the loaded
  2-core machine), acceptable for the rare reverted edit.
- ``ivf``: `IndexIVFFlat` with a trained inner-product quantizer, ``nlist`` about
  ``4 * sqrt(N)`` lists, ``nprobe`` 64 (recall@10 0.91 at 100K, 0.94 at 10K), from `IVF_AT`
  vectors: it trains in half HNSW's build time (46 s vs 97 s at 100K) and deletes in place.
  IVF keeps the row ids itself (``add_with_ids``/``remove_ids``): wrapped in an
  `IndexIDMap`, a removal would shift positions the inverted lists still point at.
  Vectors added after training go to the nearest existing list (no retraining).

`VectorIndex.build` picks the kind by size (or takes the one asked for).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import faiss
import numpy as np
import numpy.typing as npt

__all__ = ["APPROX_AT", "HNSW_AT", "IVF_AT", "KINDS", "VectorIndex", "kind_for_size"]

#: From this many vectors on, a new index is approximate (HNSW) instead of exact: exact
#: search measured 1.3 ms p50 at 10K (384-d, loaded machine), HNSW 0.25 ms at recall 0.98.
APPROX_AT = 10_000
#: From this many vectors on, IVF instead of HNSW (build time and in-place deletes; the
#: threshold is extrapolated from the 100K build times, not measured at that size).
IVF_AT = 500_000
#: Kept for callers of the first version.
HNSW_AT = APPROX_AT
KINDS = ("flat", "ivf", "hnsw")
#: Batches up to this many queries are searched on one thread.
_FEW = 16
#: IVF lists probed per query: recall@10 0.91 at 100K on embedded real functions
#: (16: 0.81, 32: 0.87; benchmarks/results/index_speed.json).
IVF_NPROBE = 64
#: HNSW search breadth: recall@10 0.93 at 100K, p50 0.5 ms (128: 0.97 at 0.95 ms).
HNSW_EF_SEARCH = 64


def _as_vectors(x: Any, dim: int) -> npt.NDArray[np.float32]:
    arr = np.ascontiguousarray(x, dtype=np.float32)
    if arr.ndim == 1:
        arr = arr.reshape(1, -1)
    if arr.ndim != 2 or arr.shape[1] != dim:
        raise ValueError(f"vectors of shape {arr.shape}, the index has dimension {dim}")
    return arr


def _as_ids(ids: Any) -> npt.NDArray[np.int64]:
    return np.ascontiguousarray(ids, dtype=np.int64).reshape(-1)


def ivf_nlist(n: int) -> int:
    """Inverted lists for ``n`` vectors: ~4 sqrt(n), at least 1, at most n / 39 (faiss's
    minimum of training points per centroid), so training never runs short."""
    return max(1, min(int(4 * math.sqrt(max(n, 1))), n // 39))


def kind_for_size(n: int, approx_at: int = APPROX_AT, ivf_at: int = IVF_AT) -> str:
    """``flat`` below ``approx_at`` vectors, ``hnsw`` below ``ivf_at``, then ``ivf``."""
    return "flat" if n < approx_at else "hnsw" if n < ivf_at else "ivf"


class VectorIndex:
    """An id-mapped FAISS index of unit vectors."""

    def __init__(self, index: Any, dimension: int) -> None:
        self.index = index
        self.dimension = dimension

    @classmethod
    def empty(cls, dimension: int, kind: str = "flat", train: Any = None, nlist: int | None = None,
              nprobe: int = IVF_NPROBE) -> VectorIndex:
        """A new index: ``flat`` (exact), ``hnsw``, or ``ivf`` (trained on ``train``)."""
        inner: Any
        if kind == "hnsw":
            inner = faiss.IndexHNSWFlat(dimension, 32, faiss.METRIC_INNER_PRODUCT)
            inner.hnsw.efConstruction = 80
            inner.hnsw.efSearch = HNSW_EF_SEARCH
        elif kind == "flat":
            inner = faiss.IndexFlatIP(dimension)
        elif kind == "ivf":
            sample = _as_vectors(train if train is not None else np.zeros((0, dimension)), dimension)
            if not len(sample):
                raise ValueError("an IVF index needs training vectors")
            lists = nlist or ivf_nlist(len(sample))
            quantizer = faiss.IndexFlatIP(dimension)
            ivf = faiss.IndexIVFFlat(quantizer, dimension, lists, faiss.METRIC_INNER_PRODUCT)
            ivf.cp.seed = 1234
            ivf.train(sample)
            ivf.nprobe = min(nprobe, lists)
            return cls(ivf, dimension)
        else:
            raise ValueError(f"unknown index kind {kind!r} (known: {', '.join(KINDS)})")
        return cls(faiss.IndexIDMap2(inner), dimension)

    @classmethod
    def build(cls, vectors: Any, ids: Any, kind: str | None = None, approx_at: int = APPROX_AT,
              ivf_at: int = IVF_AT) -> VectorIndex:
        """An index holding ``vectors`` under ``ids``; ``kind`` None picks by size."""
        vecs = np.ascontiguousarray(vectors, dtype=np.float32)
        dim = int(vecs.shape[1])
        chosen = kind or kind_for_size(len(vecs), approx_at, ivf_at)
        if chosen == "ivf" and len(vecs) < 39:
            chosen = "flat"  # too few points to train a quantizer
        index = cls.empty(dim, chosen, train=vecs if chosen == "ivf" else None)
        index.add(vecs, ids)
        return index

    @property
    def kind(self) -> str:
        if isinstance(self.index, faiss.IndexIVF):
            return "ivf"
        inner = faiss.downcast_index(self.index.index)
        return "hnsw" if isinstance(inner, faiss.IndexHNSW) else "flat"

    def params(self) -> dict[str, int]:
        """The search parameters (recorded in the manifest)."""
        if self.kind == "ivf":
            return {"nlist": int(self.index.nlist), "nprobe": int(self.index.nprobe)}
        if self.kind == "hnsw":
            inner: Any = faiss.downcast_index(self.index.index)
            h = inner.hnsw
            return {"M": 32, "efConstruction": int(h.efConstruction), "efSearch": int(h.efSearch)}
        return {}

    def __len__(self) -> int:
        return int(self.index.ntotal)

    def add(self, vectors: Any, ids: Any) -> None:
        vecs = _as_vectors(vectors, self.dimension)
        idarr = _as_ids(ids)
        if len(idarr) != len(vecs):
            raise ValueError(f"{len(vecs)} vectors but {len(idarr)} ids")
        if len(vecs):
            self.index.add_with_ids(vecs, idarr)

    def _ivf_lists(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
        invlists = self.index.invlists
        ids, vecs = [], []
        for lst in range(self.index.nlist):
            size = invlists.list_size(lst)
            if not size:
                continue
            ids.append(faiss.rev_swig_ptr(invlists.get_ids(lst), size).copy())
            codes = faiss.rev_swig_ptr(invlists.get_codes(lst), size * self.dimension * 4).copy()
            vecs.append(codes.view(np.float32).reshape(size, self.dimension))
        if not ids:
            return np.zeros(0, dtype=np.int64), np.zeros((0, self.dimension), dtype=np.float32)
        return np.concatenate(ids).astype(np.int64), np.concatenate(vecs)

    def ids(self) -> npt.NDArray[np.int64]:
        if self.kind == "ivf":
            return self._ivf_lists()[0]
        return np.asarray(faiss.vector_to_array(self.index.id_map), dtype=np.int64)

    def vectors(self) -> npt.NDArray[np.float32]:
        """Every stored vector, in the order of `ids`."""
        if self.kind == "ivf":
            return self._ivf_lists()[1]
        inner = faiss.downcast_index(self.index.index)
        n = int(inner.ntotal)
        if n == 0:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.asarray(inner.reconstruct_n(0, n), dtype=np.float32)

    def remove(self, ids: Any) -> int:
        """Remove these ids; flat and IVF in place, HNSW by a rebuild without them."""
        drop = _as_ids(ids)
        if not len(drop) or not len(self):
            return 0
        if self.kind in ("flat", "ivf"):
            return int(self.index.remove_ids(faiss.IDSelectorBatch(drop)))
        have = self.ids()
        keep = ~np.isin(have, drop)
        fresh = VectorIndex.empty(self.dimension, "hnsw")
        fresh.add(self.vectors()[keep], have[keep])
        self.index = fresh.index
        return len(have) - int(keep.sum())

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
        if not isinstance(index, faiss.IndexIVF) and not hasattr(index, "id_map"):
            raise ValueError(f"a faiss {type(index).__name__}, not an id-mapped eco index")
        return cls(index, dimension)
