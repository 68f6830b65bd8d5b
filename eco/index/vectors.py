"""The only module that touches faiss: dtype, dimension, ids and index type live here.

Vectors are unit length, so inner product is cosine similarity. Ids are int64 row ids;
faiss answers -1 for "no result", which never reaches callers. Three kinds:

- ``flat``: exact inner product (`IndexFlatIP` in an `IndexIDMap2`), while small.
- ``ivf``: `IndexIVFFlat` with a trained inner-product quantizer, ``nlist`` about
  ``4 * sqrt(N)`` lists, ``nprobe`` chosen by benchmarks/index_speed.py for recall@10 >= 0.9.
  IVF keeps the row ids itself (``add_with_ids``/``remove_ids``): wrapped in an
  `IndexIDMap`, a removal would shift positions the inverted lists still point at.
  Vectors added after training go to the nearest existing list (no retraining).
- ``hnsw``: `IndexHNSWFlat` (M=32) in an `IndexIDMap2`; it cannot delete in place, so a
  removal rebuilds it. Kept as a choice; IVF is the default for large indexes because it
  measured faster at equal recall and deletes in place (see benchmarks/README.md).

`VectorIndex.build` picks the kind by size: exact below `APPROX_AT` vectors, IVF from there.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import faiss
import numpy as np
import numpy.typing as npt

__all__ = ["APPROX_AT", "HNSW_AT", "KINDS", "VectorIndex"]

#: From this many vectors on, a new index is approximate (IVF) instead of exact.
APPROX_AT = 20_000
#: Kept for callers of the first version: the same threshold.
HNSW_AT = APPROX_AT
KINDS = ("flat", "ivf", "hnsw")
#: Batches up to this many queries are searched on one thread.
_FEW = 16
#: IVF lists probed per query: recall@10 >= 0.9 at 100K on embedded real functions
#: (benchmarks/results/index_speed.json), at ~0.3 ms.
IVF_NPROBE = 16
#: HNSW search breadth (recall/latency trade-off measured in benchmarks/index_speed.py).
HNSW_EF_SEARCH = 256


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
    def build(cls, vectors: Any, ids: Any, kind: str | None = None, approx_at: int = APPROX_AT) -> VectorIndex:
        """An index holding ``vectors`` under ``ids``; ``kind`` None picks by size."""
        vecs = np.ascontiguousarray(vectors, dtype=np.float32)
        dim = int(vecs.shape[1])
        chosen = kind or ("ivf" if len(vecs) >= approx_at else "flat")
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
            h: Any = getattr(faiss.downcast_index(self.index.index), "hnsw")
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
