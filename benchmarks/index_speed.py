"""Speed of the precedent index: embedding rate, build time, query latency, recall@10.

Data (``--data``):

- ``real`` (the default, what the figures in benchmarks/README.md quote): the first N + Q
  distinct function snippets (3-80 lines) of the Python files installed in this
  interpreter's site-packages, in sorted path order (Q of them, drawn at random, held out
  as the queries), as hashed TF-IDF bags of tokens in
  ``--dim`` (384, MiniLM's size) dimensions (see `real_vectors`). The index
  holds N of them; the Q held-out functions are the queries. Real code clusters the way
  real precedents do (near-duplicates, families of similar helpers), which uniform or
  Gaussian-cluster vectors do not.
- ``synthetic``: seeded Gaussian clusters of unit vectors (the first version's data; hard
  for every approximate index because points are near-uniform inside a cluster).

For each size: build time and single-query latency p50/p99 (one query at a time, as
``eco index query`` and the pipeline search) of the exact index, IVF at several
``nprobe`` and HNSW at several ``efSearch``, each with recall@10 against exact search.
Also: the embedding rate (bow at its default 4096 dimensions; MiniLM when installed, on
one torch thread), and the wall time of a cold ``python -m eco index query`` against the
shipped index (with and without the anti-pattern re-ranking). The machine's load average
is recorded beside the figures: it is shared, so compare rows of one run, not runs.

Run: ``python benchmarks/index_speed.py [--sizes 10000,100000] [--data real]``; writes
``benchmarks/results/index_speed.json``.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import os
import re
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import faiss
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from eco.catalog import load_catalog  # noqa: E402
from eco.index.embedders import get_embedder  # noqa: E402
from eco.index.vectors import HNSW_EF_SEARCH, IVF_NPROBE, VectorIndex, kind_for_size  # noqa: E402

CACHE = Path(os.environ.get("ECO_BENCH_CACHE", "/tmp/eco-bench-cache"))


_DEF = re.compile(r"^[ \t]*(?:async[ \t]+)?(?:def|class)[ \t]", re.M)
_TOKEN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|[^\sA-Za-z0-9_]")


def real_functions(n: int) -> list[str]:
    """``n`` distinct function snippets (3-80 lines) of installed packages, in sorted path
    order: each runs from a ``def`` line to the next ``def``/``class`` line."""
    site = Path(sysconfig.get_paths()["purelib"])
    seen: set[str] = set()
    out: list[str] = []
    for path in sorted(site.rglob("*.py")):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        starts = [m.start() for m in _DEF.finditer(text)] + [len(text)]
        for a, b in itertools.pairwise(starts):
            chunk = text[a:b].strip("\n")
            if chunk.lstrip().startswith(("def", "async")) and 3 <= chunk.count("\n") <= 80 and chunk not in seen:
                seen.add(chunk)
                out.append(chunk)
                if len(out) >= n:
                    return out
    return out


def real_vectors(n: int, dim: int) -> np.ndarray:
    """Hashed TF-IDF bag-of-tokens vectors (``dim`` buckets) of ``n`` real functions; cached.

    A regex tokenizer stands in for eco's `BagOfWords` (whose Python tokenizer embeds
    ~500 snippets/s here: 100K would take minutes); the features are the same kind
    (identifiers, operators, log-TF times IDF, hashed), so the vectors cluster the same way.
    """
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"real-{n}-{dim}.npy"
    if path.exists():
        return np.load(path)
    funcs = real_functions(n)
    buckets: dict[str, int] = {}
    x = np.zeros((len(funcs), dim), dtype=np.float32)
    for i, src in enumerate(funcs):
        for tok in _TOKEN.findall(src):
            j = buckets.get(tok)
            if j is None:
                j = buckets[tok] = int.from_bytes(hashlib.blake2b(tok.encode(), digest_size=8).digest(), "little") % dim
            x[i, j] += 1.0
    df = (x > 0).sum(axis=0)
    idf = np.log((1.0 + len(x)) / (1.0 + df)) + 1.0
    np.log1p(x, out=x)
    x *= idf.astype(np.float32)
    x /= np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
    np.save(path, x)
    return x


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


def recall(approx: np.ndarray, exact: np.ndarray) -> float:
    return round(float(np.mean([len(set(a) & set(e)) / 10 for a, e in zip(approx, exact, strict=True)])), 4)


def cold_query(runs: int) -> dict[str, object]:
    """Wall time of fresh ``python -m eco index query`` processes on the shipped index."""
    target = "examples/textkit/textkit/tokens.py::tokenize"
    out: dict[str, object] = {"command": f"python -m eco index query {target}", "runs": runs}
    for label, extra in (("rerank", []), ("no_rerank", ["--no-rerank"])):
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-m", "eco", "index", "query", target, *extra], cwd=ROOT,
                           check=True, capture_output=True)
            times.append(time.perf_counter() - t0)
        out[f"{label}_min_s"] = round(min(times), 3)
        out[f"{label}_median_s"] = round(float(np.median(times)), 3)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    out["bare_python_s"] = round(time.perf_counter() - t0, 3)
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--dim", type=int, default=384)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--data", default="real", choices=["real", "synthetic"])
    parser.add_argument("--embedders", default="bow,minilm")
    parser.add_argument("--nprobes", default="8,16,32,64,128,256")
    parser.add_argument("--ef", default="64,128,256")
    parser.add_argument("--cold-runs", type=int, default=5)
    args = parser.parse_args()
    out: dict[str, object] = {"dim": args.dim, "queries": args.queries, "data": args.data, "sizes": [],
                              "embedding": [], "loadavg_start": os.getloadavg(), "cpus": os.cpu_count(),
                              "defaults": {"ivf_nprobe": IVF_NPROBE, "hnsw_ef_search": HNSW_EF_SEARCH}}
    path = ROOT / "benchmarks" / "results" / "index_speed.json"
    out["cold_query"] = cold_query(args.cold_runs)
    print(json.dumps(out["cold_query"]), file=sys.stderr)
    texts = [e.before for e in load_catalog()] * 5
    for spec in args.embedders.split(","):
        try:
            emb = get_embedder(spec)
        except Exception as exc:
            print(f"{spec}: skipped ({exc})", file=sys.stderr)
            continue
        if spec != "bow":
            import torch

            torch.set_num_threads(1)
        emb.fit(texts)
        t0 = time.perf_counter()
        emb.embed(texts)
        rate = len(texts) / (time.perf_counter() - t0)
        out["embedding"].append({"embedder": spec, "dimension": emb.dimension,  # type: ignore[attr-defined]
                                 "snippets_per_s": round(rate, 1), "texts": "catalog before-functions"})
        print(f"{spec}: {rate:.0f} snippets/s", file=sys.stderr)
    for n in (int(s) for s in args.sizes.split(",")):
        if args.data == "real":
            allv = real_vectors(n + args.queries, args.dim)
            perm = np.random.default_rng(3).permutation(len(allv))  # queries from every package
            base, queries = allv[np.sort(perm[:n])], allv[perm[n:]]
        else:
            base, queries = clustered(n, args.dim, 1), clustered(args.queries, args.dim, 2)
        ids = np.arange(len(base), dtype=np.int64)
        row: dict[str, object] = {"entries": len(base), "data_sha256": hashlib.sha256(base.tobytes()).hexdigest()[:16]}
        flat = VectorIndex.empty(args.dim, "flat")
        t0 = time.perf_counter()
        flat.add(base, ids)
        row["flat_build_s"] = round(time.perf_counter() - t0, 3)
        p50, p99, exact = latencies(flat, queries)
        row["flat_p50_ms"], row["flat_p99_ms"] = round(p50, 3), round(p99, 3)
        t0 = time.perf_counter()
        ivf = VectorIndex.build(base, ids, kind="ivf")
        row["ivf_build_s"] = round(time.perf_counter() - t0, 2)
        row["ivf_nlist"] = ivf.params()["nlist"]
        sweep = []
        for nprobe in (int(s) for s in args.nprobes.split(",")):
            ivf.index.nprobe = nprobe
            p50, p99, approx = latencies(ivf, queries)
            sweep.append({"nprobe": nprobe, "p50_ms": round(p50, 3), "p99_ms": round(p99, 3),
                          "recall@10": recall(approx, exact)})
            print(json.dumps({"entries": n, "ivf": sweep[-1]}), file=sys.stderr)
        row["ivf"] = sweep
        if args.ef:
            hnsw = VectorIndex.empty(args.dim, "hnsw")
            t0 = time.perf_counter()
            hnsw.add(base, ids)
            row["hnsw_build_s"] = round(time.perf_counter() - t0, 2)
            hs = []
            for ef in (int(s) for s in args.ef.split(",")):
                faiss.downcast_index(hnsw.index.index).hnsw.efSearch = ef
                p50, p99, approx = latencies(hnsw, queries)
                hs.append({"efSearch": ef, "p50_ms": round(p50, 3), "p99_ms": round(p99, 3),
                           "recall@10": recall(approx, exact)})
                print(json.dumps({"entries": n, "hnsw": hs[-1]}), file=sys.stderr)
            row["hnsw"] = hs
        kind = kind_for_size(len(base))
        chosen = {"flat": {"p50_ms": row["flat_p50_ms"], "p99_ms": row["flat_p99_ms"], "recall@10": 1.0},
                  "ivf": next((r for r in sweep if r["nprobe"] == IVF_NPROBE), None),
                  "hnsw": next((r for r in row.get("hnsw", []) if r["efSearch"] == HNSW_EF_SEARCH), None)}[kind]
        row["default"] = {"kind": kind, **(chosen or {})}
        print(json.dumps({k: v for k, v in row.items() if k not in ("ivf", "hnsw")}), file=sys.stderr)
        out["sizes"].append(row)  # type: ignore[attr-defined]
        out["loadavg_end"] = os.getloadavg()
        path.write_text(json.dumps(out, indent=2, sort_keys=True) + "\n")
    out["loadavg_end"] = os.getloadavg()
    path.write_text(json.dumps(out, indent=2, sort_keys=True) + "\n")
    print(f"wrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
