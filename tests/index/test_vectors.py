"""The FAISS layer on small seeded vectors with exact ground truth (faiss contrib/datasets style)."""

from __future__ import annotations

import numpy as np
import pytest

from eco.index.vectors import VectorIndex


def _clustered(n: int, d: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(20, d))
    x = centres[rng.integers(0, 20, n)] + 0.3 * rng.normal(size=(n, d))
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return x.astype(np.float32)


def _exact(base: np.ndarray, queries: np.ndarray, ids: np.ndarray, k: int) -> np.ndarray:
    return ids[np.argsort(-(queries @ base.T), axis=1)[:, :k]]


def test_flat_is_exact_and_hnsw_recall_is_close() -> None:
    base, queries = _clustered(3000, 32, 1), _clustered(50, 32, 2)
    ids = np.arange(3000, dtype=np.int64) * 7 + 11  # database row ids, not positions
    truth = _exact(base, queries, ids, 10)
    flat, hnsw = VectorIndex.empty(32, "flat"), VectorIndex.empty(32, "hnsw")
    flat.add(base, ids)
    hnsw.add(base, ids)
    assert (flat.kind, hnsw.kind) == ("flat", "hnsw")
    _, got = flat.search(queries, 10)
    assert (got == truth).mean() > 0.99  # ties aside, exact
    _, approx = hnsw.search(queries, 10)
    recall = np.mean([len(set(a) & set(t)) / 10 for a, t in zip(approx, truth, strict=True)])
    assert recall >= 0.9


@pytest.mark.parametrize("kind", ["flat", "hnsw"])
def test_remove_drops_exactly_those_ids(kind: str) -> None:
    base = _clustered(200, 16, 3)
    ids = np.arange(200, dtype=np.int64) + 1000
    index = VectorIndex.empty(16, kind)
    index.add(base, ids)
    assert index.remove(ids[:50]) == 50
    assert len(index) == 150
    _, got = index.search(base[:50], 5)
    assert not set(got.ravel().tolist()) & set(ids[:50].tolist())


def test_fewer_vectors_than_k_never_returns_missing_ids() -> None:
    index = VectorIndex.empty(8, "flat")
    index.add(_clustered(3, 8, 4), [5, 6, 7])
    scores, ids = index.search(_clustered(1, 8, 5), 10)
    assert sorted(ids[0].tolist()) == [5, 6, 7]
    assert np.isfinite(scores).all()


def test_wrong_dimension_is_refused() -> None:
    index = VectorIndex.empty(8, "flat")
    with pytest.raises(ValueError, match="dimension 8"):
        index.add(np.zeros((2, 9)), [1, 2])
    with pytest.raises(ValueError, match="dimension 8"):
        index.search(np.zeros(7), 1)
