"""`--confirm-workload`: the whole workload timed on the baseline and on the candidate.

A microbenchmark can be right about a function and wrong about the program (a cache
that thrashes, an import that got slower). This stage runs the real workload in both
worktrees, interleaved (B C C B ...), and refuses a candidate whose workload is
significantly slower. Each run is one independent sample for the bootstrap.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from eco.errors import WorkloadError
from eco.profile.workload import python_argv
from eco.sandbox import Limits, import_path, last_line, run_sandboxed
from eco.verify.stats import bootstrap_speedup


@dataclass(frozen=True)
class WorkloadTiming:
    """Wall-clock seconds per run on each side, and what they say."""

    baseline_s: tuple[float, ...]
    candidate_s: tuple[float, ...]
    speedup: float
    ci95: tuple[float, float]
    #: True when the candidate's workload is significantly slower.
    slower: bool


def _run(project_dir: Path, command: str, limits: Limits, side: str) -> float:
    argv = [sys.executable, "-m", "eco.profile.launch", "--", *python_argv(command, project_dir)]
    result = run_sandboxed(argv, cwd=project_dir, limits=limits,
                           extra_env={"PYTHONPATH": import_path(project_dir)})
    if result.timed_out:
        raise WorkloadError(f"the workload timed out on the {side} after {limits.timeout_s:.0f} s")
    if result.returncode != 0:
        detail = last_line(result.stderr or result.stdout)
        raise WorkloadError(f"the workload failed on the {side} (exit {result.returncode}): {detail}")
    return result.seconds


def time_workload(baseline_dir: Path, candidate_dir: Path, command: str, runs: int, limits: Limits) -> WorkloadTiming:
    """Run the workload ``runs`` times per side, interleaved, and compare."""
    base: list[float] = []
    cand: list[float] = []
    _run(baseline_dir, command, limits, "baseline")  # warm the file cache once, untimed
    for index in range(runs):
        order = ("baseline", "candidate") if index % 2 == 0 else ("candidate", "baseline")
        for side in order:
            if side == "baseline":
                base.append(_run(baseline_dir, command, limits, side))
            else:
                cand.append(_run(candidate_dir, command, limits, side))
    estimate = bootstrap_speedup([[t] for t in base], [[t] for t in cand])
    return WorkloadTiming(
        baseline_s=tuple(base),
        candidate_s=tuple(cand),
        speedup=estimate.speedup,
        ci95=estimate.ci,
        slower=estimate.significant and estimate.ci[1] < 1.0,
    )
