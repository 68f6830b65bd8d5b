"""The pyperf script that times one side (baseline or candidate) on the captured calls.

``python -P -m eco.verify.bench_worker --eco-project DIR --eco-module NAME
--eco-import-root DIR --eco-qualname Q --eco-calls FILE [pyperf options]``

pyperf re-runs this module in its worker processes; eco's options reach them only through
``Runner(add_cmdline_args=...)`` (without it workers silently run with defaults). One
pyperf *loop* is one pass over all captured calls; passes are timed in batches by one pair
of clock reads, as ``timeit`` does (timing each pass alone added two clock reads and a call
per pass, which for a sub-microsecond function halved the measured speedup against an
independent timeit: benchmarks/verifier_calibration.py). Timed: the calls, with
``Exception`` caught the same way on both sides. Untimed: the random seeds reset before
each batch, and ``cache_clear()`` before each pass of a memoized target (timed pass by
pass for that reason).

Arguments: a probe call on a private copy tells whether the target changes its
arguments (their pickle differs after the call). If it does not, every pass reuses one
unpickled copy, as a caller calling it repeatedly would. If it does, every pass gets a
fresh copy (so in-place mutation by an earlier pass cannot make later passes cheaper),
unpickled ahead of the batch and at most `BATCH_BYTES` of pickles per batch. Import and
resolution are `eco.verify.replay_worker.load_target`, exactly as in the equivalence
replay.
"""

from __future__ import annotations

import argparse
import gc
import pickle
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyperf

from eco.verify.replay_worker import (
    ReplaySetupError,
    load_calls,
    load_target,
    reset_state,
    unpickle_call,
)

__all__ = ["ERROR_PREFIX", "main"]

#: Lines this worker prints to stderr when it cannot run the target; the parent
#: reports the line instead of pyperf's traceback.
ERROR_PREFIX = "eco-bench-error: "
_FLAGS = ("--eco-project", "--eco-module", "--eco-import-root", "--eco-qualname", "--eco-calls")


def _forward(cmd: list[str], args: argparse.Namespace) -> None:
    for flag in _FLAGS:
        cmd.extend((flag, getattr(args, flag[2:].replace("-", "_"))))


#: Most pickled argument bytes unpickled ahead of one timed batch of passes.
BATCH_BYTES = 4 << 20

Calls = list[tuple[tuple[Any, ...], dict[str, Any]]]


def _timed_passes(
    target: Callable[..., Any],
    passes: list[Calls],
    perf_counter: Callable[[], float],
) -> float:
    """Timed passes over the calls, one fresh copy each. Its locals (the loop variables
    holding the last call's arguments) die with this frame, after the clock has stopped."""
    start = perf_counter()
    for calls in passes:
        for call_args, call_kwargs in calls:
            try:  # noqa: SIM105
                target(*call_args, **call_kwargs)
            except Exception:
                pass
    return perf_counter() - start


def batch_size(loops: int, pass_bytes: int, memoized: bool, reuse: bool) -> int:
    """Passes per timed batch: one for a memoized target, all of them when the arguments
    are reused or their fresh copies fit `BATCH_BYTES`."""
    if memoized:
        return 1
    if reuse:
        return max(1, loops)
    return max(1, min(loops, BATCH_BYTES // max(1, pass_bytes)))


def leaves_arguments_alone(target: Callable[..., Any], blobs: list[bytes]) -> bool:
    """True when one call on a private copy of each captured call leaves the arguments
    pickling to the same bytes as an untouched copy. Anything unexpected counts as a
    change: the safe answer (fresh copies) only costs untimed work."""
    for index, blob in enumerate(blobs):
        untouched = unpickle_call(blob, index)
        probed = unpickle_call(blob, index)
        reset_state(target)
        try:  # noqa: SIM105
            target(*probed[0], **probed[1])
        except Exception:
            pass
        try:
            if pickle.dumps(untouched, protocol=5) != pickle.dumps(probed, protocol=5):
                return False
        except Exception:
            return False
    return True


def _make_time_func(args: argparse.Namespace) -> Callable[[int], float]:
    loaded: list[Any] = []

    def time_func(loops: int) -> float:
        if not loaded:
            try:
                target = load_target(
                    Path(args.eco_project),
                    args.eco_module,
                    Path(args.eco_import_root),
                    args.eco_qualname,
                )
                blobs = load_calls(Path(args.eco_calls))
                # Unpickled once up front, so a broken call fails here, not mid-timing;
                # these are also the arguments every pass reuses when the target leaves
                # them alone.
                shared = [unpickle_call(blob, index) for index, blob in enumerate(blobs)]
            except ReplaySetupError as exc:
                sys.stderr.write(f"{ERROR_PREFIX}{exc}\n")
                sys.stderr.flush()
                raise SystemExit(2) from exc
            reuse = leaves_arguments_alone(target, blobs)
            memoized = callable(getattr(target, "cache_clear", None))
            pass_bytes = sum(len(blob) for blob in blobs)
            loaded.extend((target, blobs, shared, reuse, memoized, pass_bytes))
        target, blobs, shared, reuse, memoized, pass_bytes = loaded
        size = batch_size(loops, pass_bytes, memoized, reuse)
        gc.collect()
        total = 0.0
        perf_counter = time.perf_counter
        remaining = loops
        while remaining:
            count = min(size, remaining)
            if reuse:
                passes = [shared] * count
            else:
                passes = [
                    [unpickle_call(blob, index) for index, blob in enumerate(blobs)]
                    for _ in range(count)
                ]
            reset_state(target)
            total += _timed_passes(target, passes, perf_counter)
            # The arguments are released here, untimed: a batch never pays for freeing
            # the arguments of the one before it (tens of microseconds for a big list).
            del passes
            remaining -= count
        return total

    return time_func


def main() -> None:
    runner = pyperf.Runner(
        add_cmdline_args=_forward,
        program_args=("-P", "-m", "eco.verify.bench_worker"),
    )
    for flag in _FLAGS:
        runner.argparser.add_argument(flag, required=True)
    args = runner.parse_args()
    runner.bench_time_func(args.eco_qualname, _make_time_func(args))


if __name__ == "__main__":
    main()
