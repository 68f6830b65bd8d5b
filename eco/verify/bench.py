"""Benchmark: time baseline and candidate on the captured calls with pyperf, interleaved.

Each *run* is one sandboxed ``python -m eco.verify.bench_worker`` (a pyperf master that
spawns ``processes`` worker processes, each measuring ``values`` values after
``warmups`` warmups; a value is one pass over a sample of the captured calls, drawn by
the workload calls each stands for, `pass_size` of them).

Order: ``B C | C B | B C | C B ...`` (ABBA), one pair per round. The first run of each
side calibrates that side's pyperf loop count and its later runs reuse it (a much faster
candidate given the baseline's count would run one call per value, on a cold allocator).
Alternating which side goes first cancels a linear drift of the machine (thermal,
background load) between the two sides, which a plain ``B C B C`` order would turn into
a bias of half a slot.

Values are grouped per worker process and handed to `eco.verify.stats.bootstrap_speedup`;
the result is `eco.verify.records.Benchmark`. A run that fails (crash, timeout, import
error) raises `BenchmarkError`, naming the side.
"""

from __future__ import annotations

import pickle
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pyperf

from eco.errors import EcoError, SourceError
from eco.sandbox import Limits, eco_import_path, last_line, run_sandboxed
from eco.verify.bench_worker import ERROR_PREFIX
from eco.verify.records import Benchmark
from eco.verify.replay import worker_argv
from eco.verify.stats import verifier_speedup

__all__ = ["BenchSettings", "BenchmarkError", "benchmark", "pass_size", "schedule", "spread"]

Side = Literal["baseline", "candidate"]


@dataclass(frozen=True)
class BenchSettings:
    """How much timing to do, and the bar for very fast functions."""

    #: Baseline/candidate pairs of pyperf runs.
    rounds: int = 4
    #: pyperf worker processes per run.
    processes: int = 2
    #: Values per worker process.
    values: int = 3
    #: Warmup values per worker process (discarded).
    warmups: int = 1
    #: pyperf's minimum seconds per value when calibrating loops.
    min_time: float = 0.1
    #: Functions faster than this per call (baseline) must clear `fast_min_speedup`.
    fast_function_s: float = 10e-6
    fast_min_speedup: float = 1.25
    #: Calls in one timing pass, sampled from the stored ones by the workload calls each
    #: stands for (`spread`): as many as fit `pass_budget_s` at the baseline's replayed
    #: speed, between these two. More calls estimate the workload's speedup better (per-call
    #: speedups can differ 100x between small and large inputs); fewer keep a value of a
    #: slow function from taking seconds.
    min_calls: int = 64
    max_calls: int = 256
    pass_budget_s: float = 0.25


def pass_size(settings: BenchSettings, call_seconds: list[float | None], weights: list[float] | None) -> int:
    """How many calls one timing pass takes: ``pass_budget_s`` over the mean baseline call
    time (weighted as `spread` samples), kept within ``min_calls``..``max_calls``."""
    timed = [(s, w) for s, w in zip(call_seconds, weights or [1.0] * len(call_seconds), strict=False)
             if s is not None]
    total_weight = sum(w for _, w in timed)
    if not timed or total_weight <= 0:
        return settings.min_calls
    mean = sum(s * w for s, w in timed) / total_weight
    fit = int(settings.pass_budget_s / mean) if mean > 0 else settings.max_calls
    return max(settings.min_calls, min(settings.max_calls, fit))


def spread(calls: list[bytes], most: int, weights: list[float] | None = None) -> list[bytes]:
    """At most ``most`` of ``calls`` (in order) for one timing pass, each call as likely to
    be picked as the share of the workload's calls it stands for (``weights``; the tracer
    keeps the first calls and a sample of the rest, so a plain pass over what it kept
    would time the start of the workload as much as everything after it). Systematic
    sampling: deterministic, and a call standing for many calls may be picked more than
    once. Without weights (or all equal), evenly spaced, first call first."""
    if most < 1:
        return calls
    if not weights or len(weights) != len(calls) or len(set(weights)) == 1:
        if len(calls) <= most:
            return calls
        return [calls[i * len(calls) // most] for i in range(most)]
    total = sum(weights)
    picked: list[bytes] = []
    index, reached = 0, weights[0]
    for j in range(most):
        point = (j + 0.5) * total / most
        while reached < point and index < len(calls) - 1:
            index += 1
            reached += weights[index]
        picked.append(calls[index])
    return picked


class BenchmarkError(EcoError):
    """A benchmark run failed: ``side`` names the tree, ``detail`` what was seen; the
    message is ``"<side>: <detail>"``. The verifier turns it into a rejection."""

    def __init__(self, side: str, detail: str) -> None:
        super().__init__(f"{side}: {detail}")
        self.side = side
        self.detail = detail

    def __reduce__(self) -> tuple[type[EcoError], tuple[str, ...]]:  # type: ignore[override]
        return (type(self), (self.side, self.detail))


def schedule(rounds: int) -> list[Side]:
    """The order of runs: ``B C`` in even rounds, ``C B`` in odd ones."""
    order: list[Side] = []
    for r in range(rounds):
        order.extend(("baseline", "candidate") if r % 2 == 0 else ("candidate", "baseline"))
    return order


def benchmark(
    baseline_dir: Path,
    candidate_dir: Path,
    file: str,
    qualname: str,
    calls: list[bytes],
    min_speedup: float,
    settings: BenchSettings,
    limits: Limits,
    work_dir: Path,
    weights: list[float] | None = None,
    call_seconds: list[float | None] | None = None,
) -> Benchmark:
    """Time ``file::qualname`` in both trees on ``calls`` and estimate the speedup.

    Args:
        baseline_dir: The unchanged tree.
        candidate_dir: The tree with the candidate applied.
        file: Repository-relative path of the function's file.
        qualname: Dotted qualname.
        calls: Pickled ``(args, kwargs)`` blobs (`eco.capture.CaptureStore.calls`).
        min_speedup: The configured minimum speedup (raised for very fast functions).
        settings: Amount of timing.
        limits: Sandbox limits for each pyperf run.
        work_dir: Scratch directory (calls file; pyperf JSON files in ``runs/``).
        weights: Per call, how many of the workload's calls it stands for
            (`eco.capture.CaptureStore.weights`): a pass samples by them (`spread`).
        call_seconds: Per call, its baseline wall time in the replay (None where it
            raised): sizes the pass (`pass_size`; without it, ``settings.min_calls``).

    Raises:
        BenchmarkError: no calls, or a run failed on one side.
    """
    if not calls:
        raise BenchmarkError("baseline", "no captured calls to time")
    calls = spread(calls, pass_size(settings, call_seconds or [], weights), weights)
    if settings.rounds < 1 or settings.processes < 1 or settings.values < 1:
        raise BenchmarkError("baseline", f"settings leave nothing to measure: {settings}")
    dirs: dict[Side, Path] = {"baseline": baseline_dir, "candidate": candidate_dir}
    flags: dict[Side, list[str]] = {}
    for side, directory in dirs.items():
        try:
            flags[side] = worker_argv(directory, file, qualname, prefix="--eco-")
        except SourceError as exc:
            raise BenchmarkError(side, str(exc)) from exc
    work_dir.mkdir(parents=True, exist_ok=True)
    calls_path = (work_dir / "bench-calls.pickle").resolve()
    calls_path.write_bytes(pickle.dumps(list(calls), protocol=pickle.HIGHEST_PROTOCOL))
    env = {"PYTHONPATH": eco_import_path(work_dir / "pythonpath")}
    # Runs write only their pyperf files, in ``runs``; the calls file and eco's import
    # path stay read-only, so one side cannot plant a module for the other to import.
    runs_dir = work_dir / "runs"
    runs_dir.mkdir(exist_ok=True)

    clusters: dict[Side, list[list[float]]] = {"baseline": [], "candidate": []}
    # Each side calibrates its own loop count on its first run and keeps it: a value
    # lasts at least ``min_time`` on both sides. One count shared from the baseline
    # left a much faster candidate with one call per value, timed straight after the
    # worker's gc.collect() on a cold allocator, and under-claimed big speedups by
    # 20-30% against an independent timeit (benchmarks/verifier_calibration.py).
    loops: dict[Side, int] = {}
    for index, side in enumerate(schedule(settings.rounds)):
        out = (runs_dir / f"bench-{index + 1:02d}-{side}.json").resolve()
        out.unlink(missing_ok=True)
        argv = [
            sys.executable,
            "-P",
            "-m",
            "eco.verify.bench_worker",
            *flags[side],
            "--eco-calls",
            str(calls_path),
            "--processes",
            str(settings.processes),
            "--values",
            str(settings.values),
            "--warmups",
            str(settings.warmups),
            "--min-time",
            repr(settings.min_time),
            # The sandbox already scrubbed the environment; pass it on whole so the
            # workers keep PYTHONHASHSEED, PYTHONPATH and the private TMPDIR.
            "--copy-env",
            "--quiet",
            "--output",
            str(out),
        ]
        if side in loops:
            argv += ["--loops", str(loops[side])]
        run = run_sandboxed(argv, dirs[side], limits, env, writable=[runs_dir], readable=[work_dir])
        where = f"run {index + 1} of {2 * settings.rounds}"
        if run.timed_out:
            raise BenchmarkError(side, f"{where} timed out after {limits.timeout_s:g}s")
        if run.returncode != 0 or not out.is_file():
            raise BenchmarkError(side, f"{where} failed: {_reason(run.stderr, run.returncode)}")
        try:
            result = pyperf.Benchmark.load(str(out))
            runs = [list(r.values) for r in result.get_runs() if r.values]
            run_loops = result.get_loops()
        except Exception as exc:  # pyperf raises plain ValueError/KeyError on bad JSON
            raise BenchmarkError(side, f"{where}: unreadable pyperf result: {exc}") from exc
        if not runs:
            raise BenchmarkError(side, f"{where}: pyperf recorded no values")
        loops.setdefault(side, max(1, round(run_loops)))
        clusters[side].extend(runs)

    estimate = verifier_speedup(clusters["baseline"], clusters["candidate"])
    required = min_speedup
    if estimate.baseline_time / len(calls) < settings.fast_function_s:
        required = max(required, settings.fast_min_speedup)
    return Benchmark(
        baseline_s=estimate.baseline_time,
        candidate_s=estimate.candidate_time,
        speedup=estimate.speedup,
        ci95=estimate.ci,
        significant=estimate.significant,
        required=required,
        baseline_values=sum(len(c) for c in clusters["baseline"]),
        candidate_values=sum(len(c) for c in clusters["candidate"]),
    )


def _reason(stderr: str, returncode: int) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    for line in lines:
        if line.startswith(ERROR_PREFIX):
            return line[len(ERROR_PREFIX) :]
    return last_line(stderr, f"exit status {returncode}")
