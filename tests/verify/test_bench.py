"""The benchmark end to end: real pyperf runs, sandboxed, on tiny packages in tmp_path."""

from __future__ import annotations

import pickle
import textwrap
from pathlib import Path

import pyperf
import pytest

from eco.errors import EcoError
from eco.sandbox import Limits
from eco.verify.bench import BenchmarkError, BenchSettings, benchmark, pass_size, schedule, spread

TINY = BenchSettings(rounds=2, processes=2, values=3, warmups=1, min_time=0.01)
LIMITS = Limits(timeout_s=120)

QUADRATIC = """
def dedupe(xs):
    out = []
    for x in xs:
        if x not in out:
            out.append(x)
    return out


def ident(x):
    return x
"""

LINEAR = """
def dedupe(xs):
    return list(dict.fromkeys(xs))


def ident(x):
    return x
"""


def project(root: Path, source: str) -> Path:
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("")
    (root / "pkg" / "mod.py").write_text(textwrap.dedent(source))
    return root


CALLS = [pickle.dumps(((list(range(n)) * 2,), {})) for n in (200, 300, 250)]


def test_schedule_is_abba() -> None:
    assert schedule(3) == [
        "baseline",
        "candidate",
        "candidate",
        "baseline",
        "baseline",
        "candidate",
    ]


def test_quadratic_to_linear_is_a_significant_speedup(tmp_path: Path) -> None:
    base = project(tmp_path / "base", QUADRATIC)
    cand = project(tmp_path / "cand", LINEAR)
    work = tmp_path / "work"
    result = benchmark(base, cand, "pkg/mod.py", "dedupe", CALLS, 1.1, TINY, LIMITS, work)
    assert result.significant
    assert result.speedup > 1.5
    assert result.ci95[0] > 1.5
    assert result.ci95[0] <= result.speedup <= result.ci95[1]
    assert result.required == 1.1
    assert result.baseline_values == result.candidate_values == 2 * 2 * 3
    assert result.baseline_s > result.candidate_s > 0
    # In the order B C C B, each side keeps the loop count its first run calibrated;
    # the much faster candidate runs more loops per value than the baseline.
    files = sorted(work.glob("runs/bench-*.json"))
    assert [f.name.split("-")[2] for f in files] == [
        "baseline.json",
        "candidate.json",
        "candidate.json",
        "baseline.json",
    ]
    loops = [pyperf.Benchmark.load(str(f)).get_loops() for f in files]
    assert loops[0] == loops[3]
    assert loops[1] == loops[2]
    assert loops[1] > loops[0]


def test_a_a_is_not_claimed_faster(tmp_path: Path) -> None:
    base = project(tmp_path / "base", QUADRATIC)
    same = project(tmp_path / "same", QUADRATIC)
    result = benchmark(base, same, "pkg/mod.py", "dedupe", CALLS, 1.1, TINY, LIMITS, tmp_path / "w")
    assert result.ci95[0] < 1.10
    assert not (result.significant and result.speedup >= result.required)


def test_very_fast_functions_must_clear_a_higher_bar(tmp_path: Path) -> None:
    base = project(tmp_path / "base", QUADRATIC)
    cand = project(tmp_path / "cand", LINEAR)
    calls = [pickle.dumps(((n,), {})) for n in range(5)]
    settings = BenchSettings(rounds=1, processes=2, values=2, warmups=0, min_time=0.005)
    result = benchmark(
        base, cand, "pkg/mod.py", "ident", calls, 1.1, settings, LIMITS, tmp_path / "w"
    )
    assert result.baseline_s / len(calls) < settings.fast_function_s
    assert result.required == settings.fast_min_speedup


def test_failures_name_the_side(tmp_path: Path) -> None:
    base = project(tmp_path / "base", QUADRATIC)
    broken = project(tmp_path / "broken", LINEAR + "\nraise RuntimeError('nope')\n")
    settings = BenchSettings(rounds=1, processes=1, values=1, warmups=0, min_time=0.005)
    with pytest.raises(BenchmarkError) as info:
        benchmark(
            base, broken, "pkg/mod.py", "dedupe", CALLS, 1.1, settings, LIMITS, tmp_path / "w"
        )
    assert info.value.side == "candidate"
    assert info.value.detail == "run 2 of 2 failed: cannot import pkg.mod: RuntimeError: nope"
    assert str(info.value) == f"candidate: {info.value.detail}"
    assert isinstance(info.value, EcoError)
    assert pickle.loads(pickle.dumps(info.value)).detail == info.value.detail

    with pytest.raises(BenchmarkError, match="no captured calls"):
        benchmark(base, base, "pkg/mod.py", "dedupe", [], 1.1, settings, LIMITS, tmp_path / "w")

    slow = project(tmp_path / "slow", "def dedupe(xs):\n    while True:\n        pass\n")
    with pytest.raises(BenchmarkError, match=r"^candidate: run 2 of 2 timed out after 3s$"):
        benchmark(
            base,
            slow,
            "pkg/mod.py",
            "dedupe",
            CALLS,
            1.1,
            settings,
            Limits(timeout_s=3),
            tmp_path / "w",
        )


def test_a_pass_times_at_most_max_calls_spread_over_the_run() -> None:
    calls = [bytes([i]) for i in range(256)]
    picked = spread(calls, 64)
    assert len(picked) == 64 and picked[0] == calls[0] and picked[-1] == calls[252]
    assert picked == sorted(picked) and len(set(picked)) == 64  # call order, no repeats
    assert spread(calls[:10], 64) == calls[:10]


def test_a_pass_samples_by_the_calls_each_captured_call_stands_for() -> None:
    # 4 head calls (1 each), then 4 sampled calls standing for 24 calls each.
    calls = [bytes([i]) for i in range(8)]
    weights = [1.0] * 4 + [24.0] * 4
    picked = spread(calls, 10, weights)
    assert len(picked) == 10 and picked == sorted(picked)
    # The head is 4 of 100 calls: at most one pick; the sampled calls share the rest.
    assert sum(1 for c in picked if c[0] < 4) <= 1
    assert {c[0] for c in picked} >= {4, 5, 6, 7}
    assert spread(calls, 10, [1.0] * 8) == calls  # equal weights: every call, once


def test_pass_size_fits_the_budget_between_its_bounds() -> None:
    settings = BenchSettings(min_calls=64, max_calls=256, pass_budget_s=0.25)
    assert pass_size(settings, [1e-5] * 10, None) == 256  # fast calls: as many as allowed
    assert pass_size(settings, [2.5e-3] * 10, None) == 100  # 0.25 s / 2.5 ms
    assert pass_size(settings, [0.5] * 10, None) == 64  # slow calls: never fewer than the floor
    # Weighted as the pass samples: one slow call standing for many dominates.
    assert pass_size(settings, [1e-5, 1e-2], [1.0, 99.0]) == 64
    assert pass_size(settings, [None, None], None) == 64  # every call raised: no timing known
