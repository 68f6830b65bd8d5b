"""Index stage: past performance fixes in, similar `Precedent` records out.

`build_index` embeds the catalog's before/after examples and the mined edits database
into a FAISS index with a manifest; `open_index` opens one (the repository's
``.eco/index``, else the ``index/`` shipped with eco); `PrecedentIndex.query` returns
the precedents most similar to a function. Embedders follow the `Embedder` protocol.
"""

from eco.index.build import (
    DEFAULT_EMBEDDER,
    DEFAULT_VIEW,
    BuildReport,
    build_index,
    default_index_dir,
    open_index,
    shipped_index_dir,
)
from eco.index.embedders import BagOfWords, Embedder, HybridEmbedder, SentenceEmbedder, get_embedder
from eco.index.records import IndexStats, Precedent
from eco.index.search import (
    SweepHit,
    detected_antipatterns,
    find_precedent,
    function_source,
    precedents_for,
    sweep,
)
from eco.index.store import PrecedentIndex, catalog_checksum, catalog_precedents, read_edits
from eco.index.views import VIEWS, normalise, view_text

__all__ = [
    "DEFAULT_EMBEDDER",
    "DEFAULT_VIEW",
    "VIEWS",
    "BagOfWords",
    "BuildReport",
    "Embedder",
    "HybridEmbedder",
    "IndexStats",
    "Precedent",
    "PrecedentIndex",
    "SentenceEmbedder",
    "SweepHit",
    "build_index",
    "catalog_checksum",
    "catalog_precedents",
    "default_index_dir",
    "detected_antipatterns",
    "find_precedent",
    "function_source",
    "get_embedder",
    "normalise",
    "open_index",
    "precedents_for",
    "read_edits",
    "shipped_index_dir",
    "sweep",
    "view_text",
]
