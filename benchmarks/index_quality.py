"""Retrieval quality of the precedent index: MAP@5 and MAP@10 for every embedder x view.

As in ECO's Table 3, held-out (fix, before-function) pairs are mixed into distractors.
There is no labelled corpus of real Python performance fixes on this machine, so the
corpus is BUILT: each catalog entry's before/after example gives 5 synthetic variants
(identifiers renamed at random, numbers changed, a random docstring added); variants 0, 2,
4 are indexed as precedents and variants 1, 3 are the held-out queries. Distractors are
~600 functions of eco's own source, each with a non-performance edit (a local renamed, a
docstring added). The figures measure how well an embedder sees through renaming to the
shape of the slow code: an upper bound for real histories, not a replacement for them.

Directions:
- ``function``: query with a held-out before-function; relevant = precedents of its entry.
- ``diff``: query with the held-out fix's diff.
- ``campaign`` (the other way round): the index holds before-functions (the held-out ones
  among the distractor functions); query with each precedent; relevant = the functions
  of its entry.

Embedders: ``bow``, ``minilm`` (one torch thread), and ``hybrid:ALPHA`` for ALPHA in 0.3,
0.5, 0.7 (computed from the bow and MiniLM vectors exactly as `HybridEmbedder` combines
them). ``function_reranked``: the function direction with eco's re-ranking boost (+0.1 to
precedents of the anti-patterns the catalog's detectors find in the query).

Run: ``python benchmarks/index_quality.py [--embedders bow,minilm]``; writes
``benchmarks/results/index_quality.json``.
"""

from __future__ import annotations

import argparse
import ast
import builtins
import io
import json
import keyword
import random
import sys
import time
import tokenize
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from eco.catalog import load_catalog  # noqa: E402
from eco.index.embedders import get_embedder  # noqa: E402
from eco.index.store import _unified  # noqa: E402
from eco.index.views import VIEWS, view_text  # noqa: E402

WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet", "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo", "sierra", "tango", "uniform", "victor", "whiskey", "xray", "yankee", "zulu", "data", "rows", "items", "values", "total", "result", "buf", "acc", "node", "entry", "record", "key", "table", "cache", "names", "parts", "chunk", "block"]
KEEP = set(keyword.kwlist) | set(dir(builtins)) | {"self", "cls"}


def rename(before: str, after: str, rng: random.Random) -> tuple[str, str]:
    """The same consistent renaming of local names and numbers in both sides."""
    mapping: dict[str, str] = {}

    def sub(src: str) -> str:
        out = []
        prev = ""
        for tok in tokenize.generate_tokens(io.StringIO(src).readline):
            s = tok.string
            if tok.type == tokenize.NAME and s not in KEEP and prev != "." and not s.startswith("__"):
                s = mapping.setdefault(s, f"{rng.choice(WORDS)}_{rng.choice(WORDS)}")
            elif tok.type == tokenize.NUMBER and s.isdigit() and int(s) > 1:
                s = mapping.setdefault(s, str(rng.randint(2, 999)))
            out.append((tok.type, s))
            prev = tok.string
        return tokenize.untokenize(out)

    doc = " ".join(rng.choice(WORDS) for _ in range(6))
    b, a = sub(before), sub(after)

    def add_doc(src: str) -> str:
        lines = src.splitlines()
        for i, line in enumerate(lines):
            if line.lstrip().startswith("def ") and line.rstrip().endswith(":"):
                indent = " " * (len(line) - len(line.lstrip()) + 4)
                lines.insert(i + 1, f'{indent}"""{doc}."""')
                break
        return "\n".join(lines) + "\n"

    return add_doc(b), add_doc(a)


def distractors(limit: int, rng: random.Random) -> list[tuple[str, str]]:
    """(before, after) non-performance edits of functions from eco's own source."""
    out: list[tuple[str, str]] = []
    for path in sorted((ROOT / "eco").rglob("*.py")):
        text = path.read_text()
        try:
            tree = ast.parse(text)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and 5 <= (node.end_lineno or 0) - node.lineno <= 40:
                src = ast.get_source_segment(text, node) or ""
                if src.startswith("def "):
                    try:
                        after = rename(src, src, rng)[1]
                    except (tokenize.TokenError, IndentationError):
                        continue
                    out.append((src + "\n", after))
    rng.shuffle(out)
    return out[:limit]


def average_precision(ranked: list[int], relevant: set[int], k: int) -> float:
    hits, total = 0, 0.0
    for i, item in enumerate(ranked[:k], 1):
        if item in relevant:
            hits += 1
            total += hits / i
    return total / min(len(relevant), k) if relevant else 0.0


def evaluate(vecs_keys: np.ndarray, key_labels: list[int], vecs_q: np.ndarray, q_labels: list[int],
             boost: np.ndarray | None = None) -> dict[str, float]:
    """MAP@5/@10; ``boost`` (queries x keys, 0/1) adds eco's re-ranking bonus of 0.1."""
    sims = vecs_q @ vecs_keys.T
    if boost is not None:
        sims = sims + 0.1 * boost
    order = np.argsort(-sims, axis=1)[:, :10]
    res = {}
    for k in (5, 10):
        aps = []
        for qi, label in enumerate(q_labels):
            relevant = {i for i, lab in enumerate(key_labels) if lab == label}
            aps.append(average_precision(order[qi].tolist(), relevant, k))
        res[f"map@{k}"] = round(float(np.mean(aps)), 4)
    return res


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--embedders", default="bow,minilm")
    parser.add_argument("--distractors", type=int, default=600)
    args = parser.parse_args()
    rng = random.Random(7)
    catalog = list(load_catalog())
    variants: list[list[tuple[str, str]]] = []
    for entry in catalog:
        b, a = entry.before.strip("\n") + "\n", entry.after.strip("\n") + "\n"
        variants.append([rename(b, a, rng) for _ in range(5)])
    noise = distractors(args.distractors, rng)

    # precedents: variants 0,2,4 of each entry + distractor edits; queries: variants 1,3
    keys = [(b, a, i) for i, vs in enumerate(variants) for j, (b, a) in enumerate(vs) if j % 2 == 0]
    keys += [(b, a, -1 - n) for n, (b, a) in enumerate(noise)]
    queries = [(b, a, i) for i, vs in enumerate(variants) for j, (b, a) in enumerate(vs) if j % 2 == 1]

    def d(b: str, a: str) -> str:
        return _unified(b, a, "f.py")

    results: dict[str, object] = {
        "corpus": {"catalog_entries": len(catalog), "precedents": len(keys), "queries": len(queries),
                   "distractors": len(noise), "relevant_per_query": 3,
                   "note": "synthetic variants of the catalog examples + non-performance edits of eco's own "
                           "functions as distractors; no real held-out fixes are available offline"},
        "runs": [],
    }
    out = ROOT / "benchmarks" / "results" / "index_quality.json"
    labels = [lab for _, _, lab in keys]
    q_labels = [lab for _, _, lab in queries]
    prec = [(b, a, lab) for b, a, lab in keys if lab >= 0]
    camp_labels = q_labels + [-1 - n for n in range(len(noise))]
    # what the catalog's detectors find in each held-out query (the re-ranking boost)
    from eco.index.search import detected_antipatterns

    entry_ids = [e.id for e in catalog]
    detected = [set(detected_antipatterns(b)) for b, _, _ in queries]
    boosted_keys = [lab >= 0 and entry_ids[lab] for _, _, lab in keys]
    boost = np.array([[1.0 if k and k in d else 0.0 for k in boosted_keys] for d in detected], dtype=np.float32)
    results["corpus"]["queries_with_detected_antipattern"] = sum(1 for d in detected if d)  # type: ignore[index]

    embedders: dict[str, object] = {}
    for spec in args.embedders.split(","):
        try:
            t0 = time.perf_counter()
            embedders[spec] = get_embedder(spec)
            load_s = time.perf_counter() - t0
            print(f"{spec}: loaded in {load_s:.1f}s", file=sys.stderr)
        except Exception as exc:
            print(f"{spec}: skipped ({exc})", file=sys.stderr)
    if "minilm" in embedders:
        import torch

        torch.set_num_threads(1)  # faster than 2 on the 2 shared cores
    for view in VIEWS:
        sets = {
            "keys": [view_text(view, b, d(b, a)) for b, a, _ in keys],
            "fn_q": [view_text(view, b, "") for b, _, _ in queries],
            "diff_q": [view_text("diff", b, d(b, a)) for b, a, _ in queries],
            "camp_keys": [view_text(view, b, "") for b, _, _ in queries] + [view_text(view, b, "") for b, _ in noise],
            "camp_q": [view_text(view, b, d(b, a)) for b, a, _ in prec],
        }
        vecs: dict[str, dict[str, np.ndarray]] = {}
        for spec, emb in embedders.items():
            emb.fit(sets["keys"])  # type: ignore[attr-defined]
            t0 = time.perf_counter()
            kv = emb.embed(sets["keys"])  # type: ignore[attr-defined]
            rate = len(sets["keys"]) / (time.perf_counter() - t0)
            vecs[spec] = {"keys": kv, **{name: emb.embed(texts) for name, texts in sets.items()  # type: ignore[attr-defined]
                                         if name != "keys"}}
            vecs[spec]["rate"] = np.array(rate)
        combos: list[tuple[str, dict[str, np.ndarray]]] = [(spec, v) for spec, v in vecs.items()]
        if "bow" in vecs and "minilm" in vecs:
            for alpha in (0.3, 0.5, 0.7):
                hyb = {name: np.hstack([np.sqrt(alpha) * vecs["minilm"][name], np.sqrt(1 - alpha) * vecs["bow"][name]])
                       for name in sets}
                combos.append((f"hybrid:{alpha:g}", hyb))
        for spec, v in combos:
            row = {"embedder": spec, "view": view,
                   "embed_per_s": round(float(v["rate"]), 1) if "rate" in v else None,
                   "function": evaluate(v["keys"], labels, v["fn_q"], q_labels),
                   "function_reranked": evaluate(v["keys"], labels, v["fn_q"], q_labels, boost=boost),
                   "diff": evaluate(v["keys"], labels, v["diff_q"], q_labels),
                   "campaign": evaluate(v["camp_keys"], camp_labels, v["camp_q"], [lab for _, _, lab in prec])}
            print(json.dumps(row), file=sys.stderr)
            results["runs"].append(row)  # type: ignore[attr-defined]
            out.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    out.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    print(f"wrote {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
