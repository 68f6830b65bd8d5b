"""Calibrates the verifier's timing: false speedups on A/A pairs, accuracy on known pairs.

Run by hand or nightly, never in the test suite:

    python benchmarks/verifier_calibration.py [--aa 40] [--pairs 5] [--out benchmarks/results/calibration.json]

* A/A: baseline and candidate are the same code. Every time the verifier's rule
  ("significant and the 95% interval's low end >= the required speedup") would call it
  faster is a false speedup. Target: <= 1%.
* Known-faster pairs: code with a real speedup. Reports the detection rate, and the
  error of the claimed speedup against an independent long measurement (``timeit`` in
  fresh processes, many repeats, min-of-means). Target: within +-15%.

The report records the load average before and after: the machine is shared, and the
figures are only comparable between runs under similar load.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import platform
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from eco.sandbox import Limits
from eco.verify.bench import BenchSettings, benchmark

PAIRS: dict[str, tuple[str, str, list[tuple[tuple[object, ...], dict[str, object]]]]] = {
    "membership-list-vs-set": (
        "def f(words):\n    return [w for w in words if w in ['a','b','c','d','e','f','g','h','i','j','k','l']]\n",
        "def f(words):\n    return [w for w in words if w in {'a','b','c','d','e','f','g','h','i','j','k','l'}]\n",
        [((["x", "l", "q", "a"] * 200,), {})],
    ),
    "pop0-vs-deque": (
        "def f(n):\n    q = list(range(n))\n    t = 0\n    while q:\n        t += q.pop(0)\n    return t\n",
        "from collections import deque\n\ndef f(n):\n    q = deque(range(n))\n    t = 0\n    while q:\n        t += q.popleft()\n    return t\n",
        [((20000,), {})],
    ),
    "any-list-vs-generator": (
        "def f(xs):\n    return any([x > 5 for x in xs])\n",
        "def f(xs):\n    return any(x > 5 for x in xs)\n",
        [((list(range(10)) + list(range(5000)),), {})],
    ),
    "append-loop-vs-comprehension": (
        "def f(xs):\n    out = []\n    for x in xs:\n        out.append(x * 2)\n    return out\n",
        "def f(xs):\n    return [x * 2 for x in xs]\n",
        [((list(range(5000)),), {})],
    ),
    "nested-scan-vs-set": (
        "def f(a, b):\n    return [x for x in a if x in b]\n",
        "def f(a, b):\n    s = set(b)\n    return [x for x in a if x in s]\n",
        [((list(range(300)), list(range(150, 600))), {})],
    ),
}

AA_CODE = "def f(xs):\n    total = 0\n    for x in xs:\n        total += x * x\n    return total\n"
AA_CALLS = [((list(range(2000)),), {})]


def _package(root: Path, code: str) -> Path:
    (root / "calib").mkdir(parents=True)
    (root / "calib" / "__init__.py").write_text("")
    (root / "calib" / "mod.py").write_text(code)
    return root


def _blobs(calls: list[tuple[tuple[object, ...], dict[str, object]]]) -> list[bytes]:
    return [pickle.dumps(call) for call in calls]


def independent_ratio(base: Path, cand: Path, calls: list[bytes], repeats: int = 7) -> float:
    """min-of-means ``timeit`` in fresh processes, alternating sides: an independent method
    (no pyperf, no eco code) to hold the verifier's claims against."""
    script = textwrap.dedent("""
        import pickle, sys, timeit
        sys.path.insert(0, sys.argv[1])
        from calib.mod import f
        calls = [pickle.loads(bytes.fromhex(h)) for h in sys.argv[2:]]
        def run():  # the calibration functions do not mutate their arguments: no copies timed
            for a, k in calls:
                f(*a, **k)
        number, _ = timeit.Timer(run).autorange()
        print(min(timeit.repeat(run, number=number, repeat=5)) / number)
    """)
    times: dict[Path, list[float]] = {base: [], cand: []}
    for _ in range(repeats):
        for side in (base, cand):
            out = subprocess.run([sys.executable, "-c", script, str(side), *(c.hex() for c in calls)],
                                 capture_output=True, text=True, check=True)
            times[side].append(float(out.stdout))
    return min(times[base]) / min(times[cand])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--aa", type=int, default=40, help="A/A trials")
    parser.add_argument("--pairs", type=int, default=3, help="trials per known-faster pair")
    parser.add_argument("--min-speedup", type=float, default=1.10)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "calibration.json")
    args = parser.parse_args()
    settings = BenchSettings()
    limits = Limits(timeout_s=600)
    report: dict[str, object] = {
        "date": time.strftime("%Y-%m-%d %H:%M"), "python": platform.python_version(),
        "machine": platform.machine(), "settings": settings.__dict__, "min_speedup": args.min_speedup,
        "load_average_before": os.getloadavg(),
    }
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        base = _package(work / "aa-base", AA_CODE)
        cand = _package(work / "aa-cand", AA_CODE)
        false_claims = 0
        aa_speedups = []
        for trial in range(args.aa):
            result = benchmark(base, cand, "calib/mod.py", "f", _blobs(AA_CALLS), args.min_speedup, settings,
                               limits, work / f"aa-{trial}")
            aa_speedups.append(result.speedup)
            if result.significant and result.ci95[0] >= result.required:
                false_claims += 1
            print(f"A/A {trial + 1}/{args.aa}: {result.speedup:.3f} {result.ci95}", file=sys.stderr)
        report["aa"] = {} if not args.aa else {"trials": args.aa, "false_speedups": false_claims,
                        "false_speedup_rate": false_claims / max(1, args.aa),
                        "speedup_median": statistics.median(aa_speedups) if aa_speedups else None,
                        "speedup_min": min(aa_speedups, default=None),
                        "speedup_max": max(aa_speedups, default=None)}
        pairs = {}
        for name, (slow, fast, calls) in PAIRS.items():
            b = _package(work / f"{name}-base", slow)
            c = _package(work / f"{name}-cand", fast)
            blobs = _blobs(calls)
            truth = independent_ratio(b, c, blobs)
            claims = []
            detected = 0
            for trial in range(args.pairs):
                result = benchmark(b, c, "calib/mod.py", "f", blobs, args.min_speedup, settings, limits,
                                   work / f"{name}-{trial}")
                claims.append(result.speedup)
                detected += int(result.significant and result.ci95[0] >= result.required)
            errors = [claim / truth - 1 for claim in claims]
            pairs[name] = {"independent": truth, "claimed": claims, "detected": detected, "trials": args.pairs,
                           "max_abs_error": max(abs(e) for e in errors) if errors else None,
                           "within_15pct": sum(abs(e) <= 0.15 for e in errors)}
            print(f"{name}: independent {truth:.2f}x, claimed {claims}", file=sys.stderr)
        report["pairs"] = pairs
        claims_total = sum(p["trials"] for p in pairs.values())
        report["claims_within_15pct"] = f"{sum(p['within_15pct'] for p in pairs.values())}/{claims_total}"
        report["load_average_after"] = os.getloadavg()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, sort_keys=True) + "\n")
    print(json.dumps(report, indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
