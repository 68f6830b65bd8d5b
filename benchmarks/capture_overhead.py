"""What the call-capturing tracer costs a call-heavy workload, old sampling vs new.

The tracer (eco.capture.tracer) used to keep the first ``max_calls`` calls of each target
and then remove its profile hook. It now keeps the first half, then a uniform reservoir
sample of later calls, so the hook stays installed until every target has been called
``max_seen`` times (default ``100 * max_calls``). This script times one generated
workload, side by side in one run (interleaved, best of ``--repeat``):

- ``plain``: no tracer;
- ``old``: ``max_seen = max_calls = 64``, which stores exactly the first 64 calls and
  removes the hook after them, as the old tracer did;
- ``new-64`` / ``new-256``: the new defaults for ``max_calls`` 64 and 256;
- ``always``: the hook installed for the whole run (``max_seen`` never reached), from
  which the per-call cost of the hook is derived.

The workload calls the target ``--calls`` times (distinct arguments) and makes
``--other`` calls of other functions per target call (the hook's miss path).

Then, for the choice of ``max_calls``: the holdout package's workload
(``holdout/ledgerkit``) is captured with ``max_calls`` 64 and 256, and for
``has_overdraft`` it counts the stored calls on which the ``min()`` rewrite (a false
"verified" of the honesty benchmark) differs from the original, and times one replay of
the stored calls (best of 3) for a few functions.

    python benchmarks/capture_overhead.py [--calls 1000000] [--other 4] [--repeat 5]

Writes ``benchmarks/results/capture_overhead.json``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from eco.capture import CaptureStore, CaptureTarget, capture_argv, write_spec
from eco.pysource import find_function, parse_functions
from eco.sandbox import Limits, eco_import_path, run_sandboxed
from eco.verify.replay import replay

RESULTS = Path(__file__).resolve().parent / "results" / "capture_overhead.json"
HOLDOUT = Path(__file__).resolve().parent / "holdout" / "ledgerkit"

MODULE = """
def helper(x):
    return x + 1


def target(key, data):
    return helper(key) + len(data)
"""

WORKLOAD = """
import sys
from hot import helper, target

calls, other = int(sys.argv[1]), int(sys.argv[2])
total = 0
for i in range(calls):
    total += target(i, (i, "x"))
    for j in range(other - 1):  # target itself calls helper once
        total += helper(j)
print(total)
"""


def configurations(calls: int) -> dict[str, dict[str, int] | None]:
    return {
        "plain": None,
        "old": {"max_calls": 64, "max_seen": 64},
        "new-64": {"max_calls": 64},
        "new-256": {"max_calls": 256},
        "always": {"max_calls": 64, "max_seen": calls * 10 + 1},
    }


def _min_rewrite_differs(balances: list[float], limit: float) -> bool:
    """Whether ``min(balances) < -limit`` differs from ledgerkit's ``has_overdraft``."""
    original = any([b < -limit for b in balances])
    try:
        return (min(balances) < -limit) != original
    except ValueError:
        return True


def max_calls_choice() -> dict[str, dict[str, object]]:
    """Capture ledgerkit's workload with 64 and 256 calls per function; see the docstring."""
    functions = {
        "ledgerkit/aggregate.py": ["has_overdraft", "stable_total", "top_expenses"],
        "ledgerkit/accounts.py": ["select_accounts"],
    }
    out: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        root = tmp / "ledgerkit"
        shutil.copytree(HOLDOUT, root)
        targets = []
        for rel, qualnames in functions.items():
            parsed = parse_functions((root / rel).read_bytes())
            for qualname in qualnames:
                fn = find_function(parsed, qualname)
                assert fn is not None, qualname
                targets.append(
                    CaptureTarget(str(root / rel), fn.start_line, fn.name, rel, qualname)
                )
        (root / ".eco").mkdir()
        env = {"PYTHONPATH": eco_import_path(tmp / "ecopath") + os.pathsep + str(root)}
        sys.path.insert(0, str(root))  # to unpickle has_overdraft's arguments (floats, lists)
        for max_calls in (64, 256):
            db = root / ".eco" / f"capture-{max_calls}.sqlite"
            write_spec(root / "spec.json", db, targets, max_calls=max_calls)
            ran = run_sandboxed(
                capture_argv(root / "spec.json", ["workload.py"]), root, Limits(timeout_s=600), env
            )
            assert ran.returncode == 0, ran.stderr[-2000:]
            store = CaptureStore(db)
            row: dict[str, object] = {}
            for t in targets:
                calls = store.calls(t.file, t.qualname)
                best = float("inf")
                for _ in range(3):
                    started = time.perf_counter()
                    outcome = replay(
                        root, t.file, t.qualname, calls, tmp / "r", Limits(timeout_s=300)
                    )
                    best = min(best, time.perf_counter() - started)
                    assert outcome.ok, outcome.error
                summary = store.summary(t.file, t.qualname)
                assert summary is not None
                row[t.qualname] = {
                    "seen": summary.seen,
                    "stored": len(calls),
                    "replay_s": round(best, 3),
                }
            overdraft = store.calls("ledgerkit/aggregate.py", "has_overdraft")
            # The benchmark wrote this workload itself: its pickles are trusted here.
            decoded = [pickle.loads(blob) for blob in overdraft]
            row["has_overdraft_min_rewrite_differs_on_stored_calls"] = sum(
                _min_rewrite_differs(*args) for args, _ in decoded
            )
            out[str(max_calls)] = row
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--other", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=5)
    ns = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp_name:
        root = Path(tmp_name)
        (root / "hot.py").write_text(textwrap.dedent(MODULE))
        (root / "workload.py").write_text(textwrap.dedent(WORKLOAD))
        found = find_function(parse_functions((root / "hot.py").read_bytes()), "target")
        assert found is not None
        target = CaptureTarget(str(root / "hot.py"), found.start_line, "target", "hot.py", "target")
        configs = configurations(ns.calls)
        argv: dict[str, list[str]] = {}
        for name, spec in configs.items():
            program = ["workload.py", str(ns.calls), str(ns.other)]
            if spec is None:
                argv[name] = [sys.executable, *program]
                continue
            spec_path = root / f"{name}.json"
            write_spec(spec_path, root / f"{name}.sqlite", [target], **spec)
            argv[name] = capture_argv(spec_path, program)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path[1:])}
        times: dict[str, list[float]] = {name: [] for name in configs}
        expected = ""
        for _ in range(ns.repeat):
            for name, command in argv.items():  # interleaved: load drifts hit all alike
                started = time.perf_counter()
                done = subprocess.run(
                    command, cwd=root, env=env, capture_output=True, text=True, check=True
                )
                times[name].append(time.perf_counter() - started)
                expected = expected or done.stdout
                assert done.stdout == expected, (name, done.stdout, expected)
        stored = {}
        for name, spec in configs.items():
            if spec is not None:
                summary = CaptureStore(root / f"{name}.sqlite").summary("hot.py", "target")
                assert summary is not None
                stored[name] = {"seen": summary.seen, "stored": summary.stored}

    best = {name: min(values) for name, values in times.items()}
    ledgerkit = max_calls_choice()
    total_calls = ns.calls * (ns.other + 1)
    hook_ns = (best["always"] - best["plain"]) / total_calls * 1e9
    document = {
        "date": datetime.date.today().isoformat(),
        "python": sys.version.split()[0],
        "load_average_at_end": os.getloadavg(),
        "target_calls": ns.calls,
        "python_calls_per_target_call": ns.other + 1,
        "repeat": ns.repeat,
        "best_s": {name: round(value, 4) for name, value in best.items()},
        "all_s": {name: [round(v, 4) for v in values] for name, values in times.items()},
        "overhead_vs_plain": {
            name: round(best[name] / best["plain"], 3) for name in best if name != "plain"
        },
        "hook_ns_per_python_call_while_installed": round(hook_ns, 1),
        "seen_and_stored": stored,
        "ledgerkit_by_max_calls": ledgerkit,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(document, indent=2))


if __name__ == "__main__":
    main()
