"""Speed of the precedent index: embedding rate, build time, query latency, HNSW recall.

Vectors at 10K and 100K entries are clustered unit vectors (seeded; real embeddings
cluster too: uniform random vectors would flatter neither index). For each size: build
time of the exact index (`IndexFlatIP`) and of HNSW (M=32, efConstruction 80, efSearch 256,
as eco.index.vectors builds it), p50/p99 latency of single queries, and recall@10 of HNSW
against exact search. The embedding rate is measured on the catalog's examples with the
bag-of-words embedder (and MiniLM when installed).

Run: ``python benchmarks/index_speed.py [--sizes 10000,100000] [--dim 384]``; writes
``benchmarks/results/index_speed.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from eco.catalog import load_catalog  # noqa: E402
from eco.index.embedders import get_embedder  # noqa: E402
from eco.index.vectors import VectorIndex  # noqa: E402


def clustered(n: int, d: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(max(10, n // 100), d)).astype(np.float32)
    x = centres[rng.integers(0, len(centres), n)] + 0.25 * rng.normal(size=(n, d)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return np.ascontiguousarray(x, dtype=np.float32)


def latencies(index: VectorIndex, queries: np.ndarray) -> tuple[float, float, np.ndarray]:
    times, ids = [], []
    for q in queries:
        t0 = time.perf_counter()
        _, got = index.search(q, 10)
        times.append(time.perf_counter() - t0)
        ids.append(got[0])
    ms = np.array(times) * 1000
    return float(np.percentile(ms, 50)), float(np.percentile(ms, 99)), np.array(ids)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--dim", type=int, default=384)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--embedders", default="bow,minilm")
    args = parser.parse_args()
    out: dict[str, object] = {"dim": args.dim, "queries": args.queries, "sizes": [], "embedding": []}
    texts = [e.before for e in load_catalog()] * 10
    for spec in args.embedders.split(","):
        try:
            emb = get_embedder(spec)
        except Exception as exc:
            print(f"{spec}: skipped ({exc})", file=sys.stderr)
            continue
        emb.fit(texts)
        t0 = time.perf_counter()
        emb.embed(texts)
        rate = len(texts) / (time.perf_counter() - t0)
        out["embedding"].append({"embedder": spec, "dimension": emb.dimension,  # type: ignore[attr-defined]
                                 "snippets_per_s": round(rate, 1)})
        print(f"{spec}: {rate:.0f} snippets/s", file=sys.stderr)
    for n in (int(s) for s in args.sizes.split(",")):
        base = clustered(n, args.dim, 1)
        queries = clustered(args.queries, args.dim, 2)
        ids = np.arange(n, dtype=np.int64)
        row: dict[str, object] = {"entries": n}
        flat = VectorIndex.empty(args.dim, "flat")
        t0 = time.perf_counter()
        flat.add(base, ids)
        row["flat_build_s"] = round(time.perf_counter() - t0, 3)
        p50, p99, exact = latencies(flat, queries)
        row["flat_p50_ms"], row["flat_p99_ms"] = round(p50, 3), round(p99, 3)
        hnsw = VectorIndex.empty(args.dim, "hnsw")
        t0 = time.perf_counter()
        hnsw.add(base, ids)
        row["hnsw_build_s"] = round(time.perf_counter() - t0, 2)
        p50, p99, approx = latencies(hnsw, queries)
        row["hnsw_p50_ms"], row["hnsw_p99_ms"] = round(p50, 3), round(p99, 3)
        row["hnsw_recall@10"] = round(float(np.mean([len(set(a) & set(e)) / 10 for a, e in zip(approx, exact, strict=True)])), 4)
        print(json.dumps(row), file=sys.stderr)
        out["sizes"].append(row)  # type: ignore[attr-defined]
    path = ROOT / "benchmarks" / "results" / "index_speed.json"
    path.write_text(json.dumps(out, indent=2, sort_keys=True) + "\n")
    print(f"wrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
