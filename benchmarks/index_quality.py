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

``--data real`` (issue 7's held-out real fixes) reads ``benchmarks/corpus/real_fixes.jsonl``
(real performance fixes from public repositories, each labelled with the catalog id it is
an instance of, or ``other``; see ``benchmarks/corpus/REAL_FIXES.md``) and measures, ECO
Table 3 style, two scenarios:

- ``shipped``: the shipped index (``index/``, the catalog's 43 precedents, opened with
  `PrecedentIndex.open` exactly as eco does) queried with each real before-function
  (``function``; ``function_reranked`` adds eco's detector boost) and each real diff
  (``diff``); relevant = the precedent of the fix's label (one per label, so MAP@k here is
  the reciprocal rank of it within the top k). The same 43 precedents are also indexed
  under every embedder x view to compare with the shipped configuration.
- ``mixed``: the real fixes indexed among the built mode's distractors (non-performance
  edits of eco's own functions, 250 by default), queried leave-one-out with each fix's
  before-function and diff; relevant = the other real fixes with the same label.
  ``mixed_kind`` is the same with the ``other`` fixes grouped by their ``theme`` field
  (lazy imports, os.path speed-ups...), so that more queries have something to find.

Fixes labelled ``other`` are never queries (they stay in the mixed index as distractors);
a mixed query whose label has no other fix has nothing to find and is left out. Two
baselines: ``random`` (the expected MAP of a random ranking, averaged over 200 shuffles)
and ``plain-bow`` (ECO's "bag-of-words": untyped, unweighted token counts of the raw text,
no identifier splitting, no TF-IDF, cosine). Writes
``benchmarks/results/index_quality_real.json``.
"""

from __future__ import annotations

import argparse
import ast
import builtins
import io
import json
import keyword
import random
import re
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
    parser.add_argument("--distractors", type=int, default=None,
                        help="non-performance edits mixed in (default 600 built, 250 real)")
    parser.add_argument("--data", choices=("built", "real"), default="built")
    parser.add_argument("--fixes", type=Path, default=ROOT / "benchmarks" / "corpus" / "real_fixes.jsonl")
    args = parser.parse_args()
    if args.data == "real":
        return main_real(args)
    if args.distractors is None:
        args.distractors = 600
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


# --- --data real: held-out real fixes (issue 7) ---------------------------------------------

_PLAIN = re.compile(r"\w+|[^\w\s]")
FIX_FIELDS = ("repo", "ref", "file", "qualname", "label", "before", "after")


class PlainBagOfWords:
    """ECO's bag-of-words baseline: raw token counts, no token types, identifier splitting or IDF.

    Hashed into 2**15 buckets (collisions are rare at this corpus size) and scaled to unit
    length, so the inner product is the cosine of the count vectors.
    """

    name = "plain-bow"

    def __init__(self, dimension: int = 1 << 15) -> None:
        self.dimension = dimension
        self._buckets: dict[str, int] = {}

    def fit(self, texts: list[str]) -> None:
        """Nothing to learn: counts are not weighted."""

    def embed(self, texts: list[str]) -> np.ndarray:
        from eco.index.embedders import _bucket

        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for i, text in enumerate(texts):
            for tok in _PLAIN.findall(text):
                b = self._buckets.get(tok)
                if b is None:
                    b = self._buckets[tok] = _bucket(tok, self.dimension)
                out[i, b] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return out / norms


def load_fixes(path: Path, known: set[str]) -> list[dict[str, str]]:
    """The real fixes; one clear line and exit 2 on a missing file or a bad record."""
    def fail(what: str) -> None:
        print(f"eco: error: {path}: {what}", file=sys.stderr)
        raise SystemExit(2)

    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        fail(f"cannot be read ({exc.strerror}); see benchmarks/corpus/REAL_FIXES.md for how it is collected")
    fixes = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as exc:
            fail(f"line {n}: not JSON ({exc})")
        if not isinstance(row, dict) or any(not isinstance(row.get(k), str) for k in FIX_FIELDS):
            fail(f"line {n}: needs string fields {', '.join(FIX_FIELDS)}")
        if row["label"] != "other" and row["label"] not in known:
            fail(f"line {n}: label {row['label']!r} is neither a catalog id nor 'other'")
        if row["before"] == row["after"]:
            fail(f"line {n}: before and after are the same")
        fixes.append(row)
    if not fixes:
        fail("no fixes")
    return fixes


def map_at(sims: np.ndarray, rel: np.ndarray) -> dict[str, float]:
    """MAP@5/@10 of the rankings ``sims`` (queries x keys) against the 0/1 matrix ``rel``."""
    order = np.argsort(-sims, axis=1, kind="stable")[:, :10]
    res = {}
    for k in (5, 10):
        aps = [average_precision(order[q].tolist(), set(np.flatnonzero(rel[q]).tolist()), k)
               for q in range(len(rel))]
        res[f"map@{k}"] = round(float(np.mean(aps)), 4) if aps else 0.0
    return res


def random_map(rel: np.ndarray, masked: np.ndarray | None = None, rounds: int = 200) -> dict[str, float]:
    """Expected MAP@5/@10 of a random ranking (``masked`` keys, a query's own fix, never ranked)."""
    rng = np.random.default_rng(7)
    out = {"map@5": 0.0, "map@10": 0.0}
    for _ in range(rounds):
        sims = rng.random(rel.shape)
        if masked is not None:
            sims[masked] = -np.inf
        for key, val in map_at(sims, rel).items():
            out[key] += val / rounds
    return {k: round(v, 4) for k, v in out.items()}


def embed_sets(spec: str, emb: object, sets: dict[str, list[str]], fit_on: str,
               cache: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Vectors of every text set; MiniLM (no fitting) is cached by text across views."""
    if spec != "minilm":
        emb.fit(sets[fit_on])  # type: ignore[attr-defined]
        return {name: emb.embed(texts) for name, texts in sets.items()}  # type: ignore[attr-defined]
    todo = sorted({t for texts in sets.values() for t in texts if t not in cache})
    if todo:
        for t, v in zip(todo, emb.embed(todo), strict=True):  # type: ignore[attr-defined]
            cache[t] = v
    return {name: np.array([cache[t] for t in texts]) for name, texts in sets.items()}


def score_views(embedders: dict[str, object], make_sets: object, rel: np.ndarray, boost: np.ndarray,
                mask: np.ndarray | None, cache: dict[str, np.ndarray], scenario: str) -> list[dict[str, object]]:
    """Every embedder (and hybrid) x view: function, re-ranked function and diff queries."""
    rows: list[dict[str, object]] = []
    for view in VIEWS:
        sets = make_sets(view)  # type: ignore[operator]
        vecs: dict[str, dict[str, np.ndarray]] = {}
        for spec, emb in embedders.items():
            t0 = time.perf_counter()
            vecs[spec] = embed_sets(spec, emb, sets, "keys", cache)
            print(f"{scenario} {view} {spec}: embedded in {time.perf_counter() - t0:.1f}s", file=sys.stderr)
        combos = list(vecs.items())
        if "bow" in vecs and "minilm" in vecs:
            for alpha in (0.3, 0.5, 0.7):
                combos.append((f"hybrid:{alpha:g}", {
                    name: np.hstack([np.sqrt(alpha) * vecs["minilm"][name], np.sqrt(1 - alpha) * vecs["bow"][name]])
                    for name in sets}))
        for spec, v in combos:
            def sims(name: str, v: dict[str, np.ndarray] = v, plus: np.ndarray | None = None) -> np.ndarray:
                s = v[name] @ v["keys"].T
                if plus is not None:
                    s = s + 0.1 * plus
                if mask is not None:
                    s[mask] = -np.inf
                return s
            row = {"embedder": spec, "view": view,
                   "function": map_at(sims("fn_q"), rel),
                   "function_reranked": map_at(sims("fn_q", plus=boost), rel),
                   "diff": map_at(sims("diff_q"), rel)}
            print(json.dumps({"scenario": scenario, **row}), file=sys.stderr)
            rows.append(row)
    return rows


def main_real(args: argparse.Namespace) -> int:
    """``--data real``: the shipped-index and mixed-corpus scenarios on held-out real fixes."""
    from eco.index.search import detected_antipatterns, precedents_for
    from eco.index.store import PrecedentIndex, catalog_precedents

    t_start = time.perf_counter()
    catalog_ids = {e.id for e in load_catalog()}
    fixes = load_fixes(args.fixes, catalog_ids)
    for f in fixes:
        f["diff"] = _unified(f["before"], f["after"], f["file"])
        f["diff_lines"] = view_text("diff", f["before"], f["diff"])
    labelled = [f for f in fixes if f["label"] != "other"]
    detected = [set(detected_antipatterns(f["before"])) for f in labelled]
    by_label: dict[str, int] = {}
    for f in fixes:
        by_label[f["label"]] = by_label.get(f["label"], 0) + 1
    out = ROOT / "benchmarks" / "results" / "index_quality_real.json"
    results: dict[str, object] = {
        "corpus": {"fixes": len(fixes), "labelled": len(labelled), "other": by_label.get("other", 0),
                   "labels": len([k for k in by_label if k != "other"]), "by_label": dict(sorted(by_label.items())),
                   "repos": len({f["repo"] for f in fixes}), "source": str(args.fixes.relative_to(ROOT))
                   if args.fixes.is_relative_to(ROOT) else str(args.fixes),
                   "queries_with_detected_antipattern": sum(1 for d in detected if d),
                   "queries_whose_label_is_detected": sum(1 for f, d in zip(labelled, detected, strict=True)
                                                          if f["label"] in d)},
    }

    # (a) the shipped index, opened as eco opens it
    index = PrecedentIndex.open(ROOT / "index")
    shipped: dict[str, object] = {"embedder": index.embedder.name, "view": index.view, "precedents": len(index.rows)}
    # Through `precedents_for`, as `eco index query --code -` asks: a function, or the fix's
    # unified diff (which eco splits into its before-side and its changed lines).
    for name, texts, rerank in (("function", [f["before"] for f in labelled], False),
                                ("function_reranked", [f["before"] for f in labelled], True),
                                ("diff", [f["diff"] for f in labelled], False),
                                ("diff_reranked", [f["diff"] for f in labelled], True)):
        aps5, aps10 = [], []
        for f, text in zip(labelled, texts, strict=True):
            hits = [p.id for p in precedents_for(index, text, k=10, rerank=rerank)]
            relevant = {p.id for p in index.rows.values() if f["label"] in p.antipatterns}
            aps5.append(average_precision(hits, relevant, 5))
            aps10.append(average_precision(hits, relevant, 10))
        shipped[name] = {"map@5": round(float(np.mean(aps5)), 4), "map@10": round(float(np.mean(aps10)), 4)}
    print(json.dumps({"shipped_index": shipped}), file=sys.stderr)
    results["shipped_index"] = shipped

    embedders: dict[str, object] = {"plain-bow": PlainBagOfWords()}
    for spec in args.embedders.split(","):
        try:
            embedders[spec] = get_embedder(spec)
        except Exception as exc:
            print(f"{spec}: skipped ({exc})", file=sys.stderr)
    if "minilm" in embedders:
        import torch

        torch.set_num_threads(1)  # faster than 2 on the 2 shared cores
    cache: dict[str, np.ndarray] = {}

    # the same 43 catalog precedents under every embedder x view
    precs = catalog_precedents()
    rel_a = np.array([[f["label"] in p.antipatterns for p in precs] for f in labelled], dtype=np.float32)
    boost_a = np.array([[bool(d.intersection(p.antipatterns)) for p in precs] for d in detected], dtype=np.float32)

    def shipped_sets(view: str) -> dict[str, list[str]]:
        return {"keys": [view_text(view, p.before, p.diff) for p in precs],
                "fn_q": [view_text(view, f["before"], "") for f in labelled],
                "diff_q": [f["diff_lines"] for f in labelled]}

    results["catalog_index"] = score_views(embedders, shipped_sets, rel_a, boost_a, None, cache, "catalog")
    results["catalog_random"] = random_map(rel_a)
    out.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")

    # (b) the real fixes among the built mode's distractors, leave-one-out
    rng = random.Random(7)
    noise = distractors(250 if args.distractors is None else args.distractors, rng)
    n_keys = len(fixes) + len(noise)

    def mixed_sets_for(queries: list[int]) -> object:
        def mixed_sets(view: str) -> dict[str, list[str]]:
            keys = [view_text(view, f["before"], f["diff"]) for f in fixes]
            keys += [view_text(view, b, _unified(b, a, "f.py")) for b, a in noise]
            return {"keys": keys,
                    "fn_q": [view_text(view, fixes[i]["before"], "") for i in queries],
                    "diff_q": [fixes[i]["diff_lines"] for i in queries]}
        return mixed_sets

    # "mixed": relevance by catalog label (the brief's definition); "mixed_kind": the same,
    # plus the ``other`` fixes grouped by their ``theme`` (lazy imports, os.path speed-ups...)
    kinds = {"mixed": [f["label"] if f["label"] != "other" else None for f in fixes],
             "mixed_kind": [f["label"] if f["label"] != "other" else
                            (f"other:{f['theme']}" if f.get("theme") else None) for f in fixes]}
    for scenario, kind in kinds.items():
        sizes: dict[str, int] = {}
        for k in kind:
            if k is not None:
                sizes[k] = sizes.get(k, 0) + 1
        queries = [i for i, k in enumerate(kind) if k is not None and sizes[k] > 1]
        rel_b = np.zeros((len(queries), n_keys), dtype=np.float32)
        mask = np.zeros((len(queries), n_keys), dtype=bool)
        boost_b = np.zeros((len(queries), n_keys), dtype=np.float32)
        for qi, i in enumerate(queries):
            mask[qi, i] = True
            d = set(detected_antipatterns(fixes[i]["before"]))
            for j, g in enumerate(fixes):
                rel_b[qi, j] = float(j != i and kind[j] == kind[i])
                boost_b[qi, j] = float(g["label"] in d)
        results[f"{scenario}_corpus"] = {
            "keys": n_keys, "real_fixes": len(fixes), "distractors": len(noise), "queries": len(queries),
            "groups": {k: v for k, v in sorted(sizes.items()) if v > 1},
            "mean_relevant_per_query": round(float(rel_b.sum(axis=1).mean()), 2) if queries else 0.0,
            "note": "leave-one-out: the query's own fix is never ranked"}
        results[scenario] = score_views(embedders, mixed_sets_for(queries), rel_b, boost_b, mask, cache, scenario)
        results[f"{scenario}_random"] = random_map(rel_b, mask)
        out.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    results["wall_s"] = round(time.perf_counter() - t_start, 1)
    out.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    print(f"wrote {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
