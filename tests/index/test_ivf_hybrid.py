"""IVF indexes (trained quantizer, ids kept by the IVF), hybrid scoring, and the re-ranking boost."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from eco.catalog import load_catalog
from eco.errors import ConfigError, StateError
from eco.index import (
    BagOfWords,
    HybridEmbedder,
    PrecedentIndex,
    build_index,
    detected_antipatterns,
    get_embedder,
    precedents_for,
)
from eco.index.vectors import VectorIndex, ivf_nlist
from tests.index.conftest import SLOW, AddEdit


def _clustered(n: int, d: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(20, d))
    x = centres[rng.integers(0, 20, n)] + 0.3 * rng.normal(size=(n, d))
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return x.astype(np.float32)


def test_ivf_recall_against_exact_and_saved_parameters(tmp_path: Path) -> None:
    base, queries = _clustered(4000, 32, 1), _clustered(50, 32, 2)
    ids = np.arange(4000, dtype=np.int64) * 5 + 3
    truth = ids[np.argsort(-(queries @ base.T), axis=1)[:, :10]]
    ivf = VectorIndex.build(base, ids, kind="ivf")
    assert ivf.kind == "ivf" and ivf.params()["nlist"] == ivf_nlist(4000) > 1
    _, got = ivf.search(queries, 10)
    assert np.mean([len(set(a) & set(t)) / 10 for a, t in zip(got, truth, strict=True)]) >= 0.9
    ivf.save(tmp_path / "v.faiss")
    again = VectorIndex.load(tmp_path / "v.faiss", 32)
    assert (again.kind, again.params(), len(again)) == ("ivf", ivf.params(), 4000)
    assert sorted(again.ids().tolist()) == sorted(ids.tolist())


def test_ivf_removes_in_place_and_adds_after_training() -> None:
    base = _clustered(1000, 16, 3)
    ids = np.arange(1000, dtype=np.int64) + 10_000
    ivf = VectorIndex.build(base[:900], ids[:900], kind="ivf")
    assert ivf.remove(ids[:50]) == 50 and len(ivf) == 850
    _, got = ivf.search(base[:50], 5)
    assert not set(got.ravel().tolist()) & set(ids[:50].tolist())
    ivf.add(base[900:], ids[900:])  # new edits: no retraining, ids kept as given
    _, top = ivf.search(base[900:920], 1)
    assert top[:, 0].tolist() == ids[900:920].tolist()
    order = np.argsort(ivf.ids())
    assert np.allclose(ivf.vectors()[order], np.vstack([base[50:900], base[900:]]))


def test_size_picks_the_index_type() -> None:
    vecs = _clustered(200, 8, 4)
    assert VectorIndex.build(vecs, np.arange(200), approx_at=201).kind == "flat"
    assert VectorIndex.build(vecs, np.arange(200), approx_at=200).kind == "hnsw"
    assert VectorIndex.build(vecs, np.arange(200), approx_at=100, ivf_at=200).kind == "ivf"
    assert VectorIndex.build(vecs[:20], np.arange(20), kind="ivf").kind == "flat"  # too few to train


def test_ivf_index_build_update_delete_and_manifest(tmp_path: Path, edits_db: Path, add_edit: AddEdit) -> None:
    rows = [add_edit(before=SLOW.replace("dedupe", f"dedupe{i}"), qualname=f"dedupe{i}", sha=f"{i:040x}")
            for i in range(60)]
    directory = tmp_path / "ix"
    report = build_index(directory, edits_db, index_type="ivf")
    manifest = json.loads((directory / "manifest.json").read_text())
    assert manifest["index_type"] == "ivf" and manifest["index_params"]["nlist"] >= 2
    assert build_index(tmp_path / "by-size", edits_db, approx_at=50).count == report.count
    assert json.loads((tmp_path / "by-size" / "manifest.json").read_text())["index_type"] == "hnsw"
    assert manifest["format_version"] == 2 and report.count == len(load_catalog()) + 60
    con = sqlite3.connect(edits_db)
    with con:
        con.execute("DELETE FROM edits WHERE id = ?", (rows[0],))
    con.close()
    new = add_edit(sha="f" * 40, qualname="dedupe_new")
    report = build_index(directory, edits_db)
    assert (report.rebuilt, report.added, report.deleted) == (False, 1, 1)
    index = PrecedentIndex.open(directory)
    assert index.vectors.kind == "ivf" and rows[0] not in index.rows and new in index.rows
    assert index.stats().index_params == manifest["index_params"]
    assert rows[0] not in index.vectors.ids().tolist()
    assert precedents_for(index, SLOW, k=3)[0].repo == "acme/widgets"


def test_hybrid_score_is_the_weighted_sum_of_dense_and_sparse() -> None:
    texts = [SLOW, "def f(x):\n    return sorted(x)[0]\n", "def g(a, b):\n    return a + b\n"]
    dense, sparse = BagOfWords(dimension=256), BagOfWords()
    hybrid = HybridEmbedder("hybrid-test", dense, 0.3, sparse)
    hybrid.fit(texts)
    h = hybrid.embed(texts)
    assert h.shape == (3, 256 + 4096) and np.allclose(np.linalg.norm(h, axis=1), 1.0, atol=1e-5)
    d, s = dense.embed(texts), sparse.embed(texts)
    assert np.allclose(h @ h.T, 0.3 * (d @ d.T) + 0.7 * (s @ s.T), atol=1e-5)
    assert "alpha=0.3" in hybrid.version


@pytest.mark.parametrize("spec", ["hybrid:2", "hybrid:x", "hybrid:0.5:bow"])
def test_bad_hybrid_spec(spec: str) -> None:
    with pytest.raises(ConfigError, match="hybrid"):
        get_embedder(spec)


def test_hybrid_index_round_trip_records_alpha(tmp_path: Path) -> None:
    emb = HybridEmbedder("hybrid-test", BagOfWords(dimension=128), 0.6)
    from eco.index.store import catalog_precedents

    index = PrecedentIndex.create(tmp_path / "ix", emb, "normalised", catalog_precedents())
    index.save()
    manifest = json.loads((tmp_path / "ix" / "manifest.json").read_text())
    assert manifest["embedder_params"] == {"alpha": 0.6} and manifest["dimension"] == 128 + 4096
    again = PrecedentIndex.open(tmp_path / "ix", embedder=HybridEmbedder("hybrid-test", BagOfWords(dimension=128), 0.6))
    entry = next(iter(load_catalog()))
    assert again.query(entry.before, k=1)[0].sha == entry.id
    other = HybridEmbedder("hybrid-test", BagOfWords(dimension=128), 0.4)
    with pytest.raises(StateError, match=r"alpha=0\.6"):
        PrecedentIndex.open(tmp_path / "ix", embedder=other)


# The after-code of one catalog entry (its anti-pattern fixed) next to a small function with
# another anti-pattern: by similarity alone the look-alikes of the first rank above the
# second's precedent; the detectors see only the second.
_AFTER = next(e for e in load_catalog() if e.id == "dotted-import-in-loop").after.strip("\n")
QUERY = _AFTER + '\n\n\ndef is_vowel(ch):\n    return ch in ["a", "e", "i", "o", "u"]\n'


def test_rerank_boosts_precedents_of_detected_antipatterns(tmp_path: Path) -> None:
    # Normalised view: there the look-alikes' lead over the second precedent is under the boost.
    build_index(tmp_path / "ix", catalog_only=True, view="normalised")
    index = PrecedentIndex.open(tmp_path / "ix")
    assert detected_antipatterns(QUERY) == ["membership-in-list-literal"]
    plain = precedents_for(index, QUERY, k=10, rerank=False)
    boosted = precedents_for(index, QUERY, k=10)
    rank = {p.sha: i for i, p in enumerate(plain)}
    assert rank["membership-in-list-literal"] > 0  # not first on similarity alone
    assert boosted[0].sha == "membership-in-list-literal"
    before = next(p.score for p in plain if p.sha == "membership-in-list-literal")
    assert boosted[0].score == pytest.approx(before + 0.1, abs=1e-5)
    others = {p.sha: p.score for p in boosted[1:]}
    assert all(others[p.sha] == pytest.approx(p.score, abs=1e-6) for p in plain if p.sha in others)


def test_an_update_moves_a_grown_index_to_the_type_its_size_calls_for(
        tmp_path: Path, edits_db: Path, add_edit: AddEdit) -> None:
    n = len(load_catalog())
    directory, forced = tmp_path / "ix", tmp_path / "forced"
    assert build_index(directory, edits_db, approx_at=n + 5).rebuilt
    build_index(forced, edits_db, approx_at=n + 5, index_type="flat")
    assert PrecedentIndex.open(directory).vectors.kind == "flat"
    ids = [add_edit(before=SLOW.replace("dedupe", f"d{i}"), qualname=f"d{i}", sha=f"{i:040x}") for i in range(10)]
    report = build_index(directory, edits_db, approx_at=n + 5)
    assert (report.rebuilt, report.added) == (False, 10)
    index = PrecedentIndex.open(directory)
    assert index.vectors.kind == "hnsw" and sorted(index.vectors.ids().tolist()) == sorted(index.rows)
    assert precedents_for(index, SLOW, k=1)[0].id in ids
    build_index(forced, edits_db, approx_at=n + 5)  # asked for flat: stays flat
    assert PrecedentIndex.open(forced).vectors.kind == "flat"
