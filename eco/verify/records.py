"""What the verify stage hands on: a verdict with the evidence behind it.

Every outcome is a value, never an exception: a candidate that fails a stage gets a
`Verdict` whose ``reason`` names the first failing stage. All records are frozen and
pickleable so verdicts can cross process (and Dask) boundaries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Status = Literal["verified", "rejected", "no-candidate", "error"]
StageName = Literal[
    "compile", "scope", "tests", "equivalence", "benchmark", "full-tests", "workload"
]


@dataclass(frozen=True)
class StageResult:
    """One step of the verification cascade."""

    name: StageName
    ok: bool
    #: What was checked and what was seen, for a human.
    detail: str
    seconds: float = 0.0


@dataclass(frozen=True)
class TestRun:
    """The outcome of running a test command once."""

    __test__ = False  # not a pytest test class, despite the name

    command: str
    passed: int
    failed: int
    errors: int = 0
    skipped: int = 0
    #: Node ids of failing tests (bounded).
    failures: tuple[str, ...] = ()
    timed_out: bool = False
    #: The tail of the output, for the reason text.
    output_tail: str = ""

    @property
    def ok(self) -> bool:
        return not self.timed_out and self.failed == 0 and self.errors == 0 and self.passed > 0


@dataclass(frozen=True)
class Equivalence:
    """Replay of captured calls against baseline and candidate."""

    #: Calls replayed on both sides.
    inputs: int
    mismatches: int
    #: Calls seen during capture that could not be stored (unpicklable, too big, ...).
    uncapturable: int = 0
    #: The first mismatch, described for a human.
    first_mismatch: str = ""
    #: Derived calls compared (captured calls with a sequence argument cut to one item or
    #: none, where the baseline returned; eco.verify.replay_worker).
    derived: int = 0

    def as_json(self) -> dict[str, int]:
        """The result document's ``equivalence`` object."""
        return {"inputs": self.inputs, "mismatches": self.mismatches, "uncapturable": self.uncapturable,
                "derived": self.derived}


@dataclass(frozen=True)
class Benchmark:
    """Baseline vs candidate timing on the captured calls."""

    #: Seconds per replay of the captured calls: the fastest value (each value is the
    #: mean over at least pyperf's min_time of replays; eco.verify.stats.minimum_speedup).
    baseline_s: float
    candidate_s: float
    #: baseline / candidate.
    speedup: float
    #: The hull of the minimum's and the mean's 95% intervals (eco.verify.stats.verifier_speedup).
    ci95: tuple[float, float]
    #: True when the 95% interval excludes 1.0.
    significant: bool
    #: The minimum speedup this function had to reach (raised for very fast functions).
    required: float
    baseline_values: int = 0
    candidate_values: int = 0


@dataclass(frozen=True)
class Verdict:
    """The verifier's answer for one candidate."""

    status: Status
    #: Why not verified (empty when verified), naming the failing stage.
    reason: str
    stages: tuple[StageResult, ...] = ()
    tests: TestRun | None = None
    equivalence: Equivalence | None = None
    benchmark: Benchmark | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def speedup(self) -> float | None:
        return self.benchmark.speedup if self.benchmark else None
