"""The verification cascade, cheapest check first; the first failure is the reason.

    compile → scope → tests that exercise the target → equivalence → benchmark
            → (with confirm_workload) the whole workload timed → full suite

The tests that exercise the target are found once on the baseline with per-test
coverage contexts; when that cannot be known the whole suite runs at the tests stage.

A candidate is ``verified`` only when its tests pass (failures that already happen on
the unchanged code are excluded and noted, never blamed on it), replaying the calls
captured from the real workload gives equal results, arguments and exceptions on
baseline and candidate, and the benchmark's 95% confidence interval for the speedup
lies wholly at or above the minimum. The last rule is stricter than "the point estimate
is above the minimum": it is what keeps a claimed 1.12x from being a real 1.04x.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import TracebackType

from eco.capture.store import CaptureStore
from eco.config import EcoConfig
from eco.errors import BaselineTestsFailed, EcoError, PatchError
from eco.profile.workload import DEFAULT_WORKLOAD
from eco.pysource import check_syntax, find_function, parse_functions
from eco.sandbox import Limits, last_line
from eco.verify.bench import BenchSettings, benchmark
from eco.verify.records import Benchmark, Equivalence, StageName, StageResult, TestRun, Verdict
from eco.verify.replay import ReplayOutcome, compare, replay
from eco.verify.scope import check_scope
from eco.verify.selection import LineContexts, line_contexts, tests_for
from eco.verify.testrun import run_tests
from eco.verify.workload_timing import time_workload
from eco.verify.worktree import Snapshot, apply_patch, patched_files, worktree


@dataclass
class _Stages:
    done: list[StageResult] = field(default_factory=list)

    def add(self, name: StageName, ok: bool, detail: str, started: float) -> None:
        self.done.append(StageResult(name=name, ok=ok, detail=detail, seconds=time.perf_counter() - started))


class Verifier:
    """Verifies candidates for one snapshot; holds the baseline worktree for the session.

    Use as a context manager: entering builds the baseline worktree and checks the
    baseline's health (its tests pass, reruns tell flaky tests from broken ones).
    """

    def __init__(
        self,
        snapshot: Snapshot,
        config: EcoConfig,
        captures: CaptureStore | None,
        progress: Callable[[str], None] = lambda _msg: None,
        bench: BenchSettings | None = None,
    ) -> None:
        self.snapshot = snapshot
        self.config = config
        self.captures = captures
        self.progress = progress
        self.bench = bench or BenchSettings(
            rounds=config.bench_rounds, processes=config.bench_processes, values=config.bench_values
        )
        self.limits = Limits(timeout_s=config.timeout, memory_mb=config.memory_mb)
        self._stack = ExitStack()
        self._baseline_dir: Path | None = None
        self._work = Path()
        self.baseline_tests: TestRun | None = None
        #: Tests that fail on the baseline only sometimes: deselected for every candidate.
        self.flaky: tuple[str, ...] = ()
        self._replays: dict[tuple[str, str], ReplayOutcome] = {}
        self._watched: list[str] = []
        self._contexts: LineContexts | None = None

    def __enter__(self) -> Verifier:
        self._work = Path(self._stack.enter_context(tempfile.TemporaryDirectory(prefix="eco-verify-")))
        self._baseline_dir = self._stack.enter_context(worktree(self.snapshot, prefix="eco-base-"))
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._stack.close()

    @property
    def baseline_dir(self) -> Path:
        assert self._baseline_dir is not None, "use Verifier as a context manager"
        return self._baseline_dir

    def check_baseline(self) -> TestRun:
        """Run the tests on the unchanged code; raise when they fail there consistently."""
        self.progress("running the test suite on the unchanged code")
        first = run_tests(self.baseline_dir, self.config.test_command, self.limits)
        if first.timed_out:
            raise BaselineTestsFailed(f"the tests ({first.command}) time out on the unchanged code after {self.config.timeout:.0f} s")
        if first.ok:
            self.baseline_tests = first
            return first
        if not first.failures:
            detail = last_line(first.output_tail)
            raise BaselineTestsFailed(f"the tests ({first.command}) fail on the unchanged code: {detail}")
        self.progress("rerunning failing tests to tell flaky from broken")
        rerun = run_tests(self.baseline_dir, self.config.test_command, self.limits, select=first.failures)
        still = [f for f in first.failures if f in rerun.failures]
        if still or rerun.errors:
            shown = ", ".join(still[:5]) or last_line(rerun.output_tail)
            raise BaselineTestsFailed(
                f"{len(still) or 'some'} test(s) fail on the unchanged code, so no candidate can be judged: {shown}"
            )
        self.flaky = first.failures
        self.baseline_tests = first
        return first

    def watch(self, files: Sequence[str]) -> None:
        """Files whose targets will be verified: one coverage run then serves all of them."""
        self._watched.extend(f for f in files if f not in self._watched)

    def covering(self, file: str, qualname: str) -> tuple[str, ...] | None:
        """The baseline tests that exercise ``qualname``; None when that cannot be known."""
        if file not in self._watched:
            self._watched.append(file)
        if self._contexts is None or any(f not in self._contexts for f in self._watched):
            self.progress("finding the tests that exercise each target (one run under coverage)")
            found = line_contexts(self.baseline_dir, self.config.test_command, self._watched, self.limits)
            if found is None:
                return None
            self._contexts = found
        fn = find_function(parse_functions((self.baseline_dir / file).read_bytes()), qualname)
        if fn is None:
            return None
        return tuple(t for t in tests_for(self._contexts, file, (fn.start_line, fn.end_line)) if t not in self.flaky)

    def verify(self, file: str, qualname: str, patch: str) -> Verdict:
        """Run the cascade for one patch; never raises for a bad candidate."""
        stages = _Stages()
        notes: list[str] = []
        if self.flaky:
            notes.append(f"excluded {len(self.flaky)} flaky baseline test(s): {', '.join(self.flaky[:5])}")

        def reject(stage: StageName, why: str, started: float, **evidence: object) -> Verdict:
            stages.add(stage, False, why, started)
            return Verdict(status="rejected", reason=f"{stage}: {why}", stages=tuple(stages.done),
                           notes=tuple(notes), **evidence)  # type: ignore[arg-type]

        started = time.perf_counter()
        touched = patched_files(patch)
        if touched != [file]:
            return reject("compile", f"the patch must change exactly {file}, it touches {', '.join(touched) or 'nothing'}", started)
        with worktree(self.snapshot, prefix="eco-cand-") as cand_dir:
            try:
                apply_patch(cand_dir, patch)
            except PatchError as exc:
                return reject("compile", str(exc), started)
            old_text = (self.baseline_dir / file).read_text(encoding="utf-8")
            try:
                new_text = (cand_dir / file).read_text(encoding="utf-8")
                check_syntax(new_text, file)
            except (EcoError, OSError, UnicodeDecodeError) as exc:
                return reject("compile", str(exc), started)
            if new_text == old_text:
                return reject("compile", "the patch changes nothing (empty edit)", started)
            stages.add("compile", True, f"{file} parses and compiles", started)

            started = time.perf_counter()
            problem = check_scope(old_text, new_text, qualname)
            if problem:
                return reject("scope", problem, started)
            stages.add("scope", True, f"only {qualname} changed; signature unchanged", started)

            started = time.perf_counter()
            selected = self.covering(file, qualname)
            tests: TestRun | None = None
            if selected == ():
                notes.append(f"no test exercises {qualname}; the whole suite runs after the benchmark")
                stages.add("tests", True, f"no test exercises {qualname}", started)
            else:
                what = f"{len(selected)} test(s) that exercise it" if selected else "the test suite"
                self.progress(f"{qualname}: running {what}")
                tests = run_tests(cand_dir, self.config.test_command, self.limits,
                                  select=selected or (), deselect=self.flaky)
                if not tests.ok:
                    return reject("tests", _test_failure(tests, self.config.timeout), started, tests=tests)
                stages.add("tests", True, f"{tests.passed} passed ({what})", started)

            started = time.perf_counter()
            calls = self.captures.calls(file, qualname) if self.captures else []
            summary = self.captures.summary(file, qualname) if self.captures else None
            uncapturable = summary.uncapturable if summary else 0
            if not calls:
                notes.append("no replayable calls were captured; correctness rests on the tests alone")
                equivalence = Equivalence(inputs=0, mismatches=0, uncapturable=uncapturable)
                stages.add("equivalence", True, "no captured calls to replay", started)
                return reject("benchmark", "no captured calls to time, so no speedup can be measured",
                              time.perf_counter(), tests=tests, equivalence=equivalence)
            self.progress(f"{qualname}: replaying {len(calls)} captured calls")
            key = (file, qualname)
            if key not in self._replays:
                self._replays[key] = replay(self.baseline_dir, file, qualname, calls,
                                            self._work / "replay-base", self.limits)
            base = self._replays[key]
            if not base.ok:
                return reject("equivalence", f"the captured calls cannot be replayed on the unchanged code: {base.error}",
                              started, tests=tests)
            cand = replay(cand_dir, file, qualname, calls, self._work / "replay-cand", self.limits)
            if not cand.ok:
                return reject("equivalence", f"replay failed on the candidate: {cand.error}", started, tests=tests)
            equivalence = replace(compare(base, cand, rel_tol=self.config.float_tolerance), uncapturable=uncapturable)
            replayed = (f"{equivalence.inputs + equivalence.derived} replayed calls ({equivalence.inputs} captured, "
                        f"{equivalence.derived} derived edge cases)" if equivalence.derived
                        else f"{equivalence.inputs} captured calls")
            if equivalence.mismatches:
                return reject("equivalence",
                              f"{equivalence.mismatches} of {replayed} behave differently; {equivalence.first_mismatch}",
                              started, tests=tests, equivalence=equivalence)
            stages.add("equivalence", True, f"{replayed} give equal results", started)

            started = time.perf_counter()
            self.progress(f"{qualname}: benchmarking baseline against candidate")
            try:
                weights = self.captures.weights(file, qualname) if self.captures else None
                seconds = [r.get("seconds") for r in base.results if "derived" not in r]
                bench: Benchmark = benchmark(self.baseline_dir, cand_dir, file, qualname, calls,
                                             self.config.min_speedup, self.bench, self.limits, self._work,
                                             weights=weights, call_seconds=seconds)
            except EcoError as exc:
                return reject("benchmark", str(exc), started, tests=tests, equivalence=equivalence)
            low, high = bench.ci95
            figure = f"{bench.speedup:.2f}x (95% CI {low:.2f}-{high:.2f})"
            if not bench.significant:
                return reject("benchmark", f"not significant: {figure}", started,
                              tests=tests, equivalence=equivalence, benchmark=bench)
            if low < bench.required:
                return reject("benchmark", f"{figure} is not reliably at least {bench.required:.2f}x", started,
                              tests=tests, equivalence=equivalence, benchmark=bench)
            stages.add("benchmark", True, figure, started)

            if self.config.confirm_workload:
                started = time.perf_counter()
                command = self.config.workload or DEFAULT_WORKLOAD
                self.progress(f"{qualname}: timing the whole workload before and after")
                try:
                    timing = time_workload(self.baseline_dir, cand_dir, command, self.config.workload_runs,
                                           self.limits)
                except EcoError as exc:
                    return reject("workload", str(exc), started, tests=tests, equivalence=equivalence,
                                  benchmark=bench)
                overall = (f"workload {timing.speedup:.3f}x (95% CI {timing.ci95[0]:.3f}-{timing.ci95[1]:.3f}) "
                           f"over {len(timing.baseline_s)} runs per side")
                if timing.slower:
                    return reject("workload", f"the whole workload got slower: {overall}", started,
                                  tests=tests, equivalence=equivalence, benchmark=bench)
                stages.add("workload", True, overall, started)

            if selected is not None:
                started = time.perf_counter()
                self.progress(f"{qualname}: running the whole test suite")
                full = run_tests(cand_dir, self.config.test_command, self.limits, deselect=self.flaky)
                if not full.ok:
                    return reject("full-tests", _test_failure(full, self.config.timeout), started,
                                  tests=full, equivalence=equivalence, benchmark=bench)
                stages.add("full-tests", True, f"{full.passed} passed ({full.command})", started)
                tests = full
        return Verdict(status="verified", reason="", stages=tuple(stages.done), tests=tests,
                       equivalence=equivalence, benchmark=bench, notes=tuple(notes))


def _test_failure(tests: TestRun, timeout: float) -> str:
    if tests.timed_out:
        return f"the tests timed out after {timeout:.0f} s"
    if tests.failures:
        return f"{tests.failed + tests.errors} test(s) fail: {', '.join(tests.failures[:5])}"
    return f"the test command failed: {last_line(tests.output_tail)}"
