"""Times eco's ingest of a big collapsed-stack profile: 1 million samples, one per line.

Run by hand or nightly, never in the test suite:

    python benchmarks/profile_ingest.py [--samples 1000000] [--paths 20000] [--out benchmarks/results/profile_ingest.json]

It builds a repository of 40 modules x 12 functions, draws call paths through it (the
interpreter's own frames at the root, repository functions in the middle, standard-library
frames at the leaves, 6 to 18 frames deep, py-spy's `function (file:line)` spelling) and
writes one line per sample with count 1, so nothing is pre-aggregated: the worst case for a
collapsed file of that many samples. Leaf lines vary from sample to sample, as they do in
real py-spy output. Then it times `load_profile` on it (best of --repeat runs, in this
process) and checks the ranking against the truth it drew the samples from.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from eco.profile import load_profile

MODULES = 40
FUNCTIONS = 12
STDLIB = [
    ("/usr/lib/python3.11/json/decoder.py", "JSONDecoder.raw_decode", 353),
    ("/usr/lib/python3.11/re/__init__.py", "sub", 185),
    ("/usr/lib/python3.11/collections/__init__.py", "Counter.update", 670),
    ("/usr/lib/python3.11/functools.py", "reduce", 240),
    ("/usr/lib/python3.11/statistics.py", "mean", 414),
]
ROOT = [
    ("<frozen runpy>", "_run_module_as_main", 198),
    ("<frozen runpy>", "_run_code", 88),
    ("/srv/app/main.py", "<module>", 12),
]


def make_repo(root: Path) -> list[tuple[str, str, int, int]]:
    """Write the repository; return its functions as (file, name, def line, last line)."""
    functions = []
    for m in range(MODULES):
        rel = f"app/mod{m:02d}.py"
        lines = ['"""A module of the benchmark repository."""', ""]
        for f in range(FUNCTIONS):
            start = len(lines) + 1
            lines += [f"def fn{f:02d}(x):", "    y = x + 1", "    z = y * 2", "    return z", ""]
            functions.append((rel, f"fn{f:02d}", start, start + 3))
        (root / "app").mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / "app" / "__init__.py").write_text("", encoding="utf-8")
    return functions


def write_profile(path: Path, functions: list[tuple[str, str, int, int]], samples: int, seed: int,
                  n_paths: int = 20_000) -> Counter[str]:
    """Write ``samples`` lines; return how many samples each leaf-most repository function got."""
    rng = random.Random(seed)
    # A skewed choice of hot functions, as real profiles have.
    weights = [1.0 / (i + 1) ** 1.1 for i in range(len(functions))]
    rng.shuffle(weights)
    paths = []
    for _ in range(n_paths):
        depth = rng.randint(3, 12)
        chain = rng.choices(range(len(functions)), weights=weights, k=depth)
        frames = [f"{name} ({file}:{line})" for file, name, line in ROOT]
        for index in chain:
            file, name, start, end = functions[index]
            frames.append(f"{name} (/srv/app/{file}:{rng.randint(start + 1, end)})")
        tail = rng.sample(STDLIB, rng.randint(0, 3))
        frames += [f"{name} ({file}:{line})" for file, name, line in tail]
        paths.append((";".join(frames[:-1]), frames[-1], functions[chain[-1]], bool(tail)))
    truth: Counter[str] = Counter()
    with path.open("w", encoding="utf-8") as out:
        chunk = []
        for _ in range(samples):
            parent, leaf, owner, in_stdlib = paths[rng.randrange(n_paths)]
            if not in_stdlib:  # the leaf is a repository frame: vary its line
                file, name, start, end = owner
                leaf = f"{name} (/srv/app/{file}:{rng.randint(start + 1, end)})"
            chunk.append(f"{parent};{leaf} 1\n")
            truth[f"{owner[0]}::{owner[1]}"] += 1
            if len(chunk) >= 10_000:
                out.writelines(chunk)
                chunk.clear()
        out.writelines(chunk)
    return truth


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--paths", type=int, default=20_000, help="distinct call paths the samples are drawn from")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "profile_ingest.json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "repo"
        functions = make_repo(root)
        profile_path = Path(tmp) / "big.txt"
        started = time.perf_counter()
        truth = write_profile(profile_path, functions, args.samples, args.seed, args.paths)
        generated = time.perf_counter() - started
        size = profile_path.stat().st_size
        print(f"wrote {args.samples} samples, {size / 1e6:.0f} MB, in {generated:.1f} s", file=sys.stderr)
        timings = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            profile = load_profile([profile_path], root)
            timings.append(time.perf_counter() - started)
            print(f"ingest: {timings[-1]:.2f} s", file=sys.stderr)
        ranked = [f"{f.file}::{f.qualname}" for f in profile.functions[:10]]
        expected = [name for name, _ in truth.most_common(10)]
        counts = {f"{f.file}::{f.qualname}": f.self_s for f in profile.functions}
        exact = all(counts.get(name, 0) == n for name, n in truth.items())
    result = {
        "benchmark": "profile_ingest",
        "samples": args.samples,
        "file_mb": round(size / 1e6, 1),
        "distinct_call_paths": args.paths,
        "ingest_s_best": round(min(timings), 2),
        "ingest_s_all": [round(t, 2) for t in timings],
        "samples_per_s": round(args.samples / min(timings)),
        "ranking_matches_truth": ranked == expected,
        "every_function_exact": exact,
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {platform.system()}",
        "measured": time.strftime("%Y-%m-%d"),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2, sort_keys=True))
    return 0 if result["ranking_matches_truth"] and exact else 1


if __name__ == "__main__":
    sys.exit(main())
