"""Speedup statistics on seeded synthetic timings with known ground truth."""

from __future__ import annotations

import random

import pytest

from eco.verify.stats import (
    bootstrap_speedup,
    mean,
    minimum_speedup,
    student_t_quantile,
    verifier_speedup,
)


def timings(
    rng: random.Random, center: float, processes: int, values: int, between: float, within: float
) -> list[list[float]]:
    """``processes`` clusters: each process has its own offset (``between``), its values
    scatter around it (``within``), both relative to ``center``."""
    out = []
    for _ in range(processes):
        level = center * (1 + rng.gauss(0, between))
        out.append([level * (1 + abs(rng.gauss(0, within))) for _ in range(values)])
    return out


def test_mean() -> None:
    assert mean([0.1] * 10) == 0.1
    with pytest.raises(ValueError, match="no values"):
        mean([])


def test_clear_speedup_is_significant_and_covers_the_truth() -> None:
    rng = random.Random(1)
    base = timings(rng, 2e-3, processes=8, values=3, between=0.03, within=0.02)
    cand = timings(rng, 1e-3, processes=8, values=3, between=0.03, within=0.02)
    est = bootstrap_speedup(base, cand)
    assert est.significant
    assert est.ci[0] < 2.0 < est.ci[1]
    assert 1.8 < est.speedup < 2.2
    assert est.ci[0] <= est.speedup <= est.ci[1]


def test_slower_candidate_is_significant_the_other_way() -> None:
    rng = random.Random(2)
    base = timings(rng, 1e-3, 6, 3, 0.02, 0.02)
    cand = timings(rng, 1.5e-3, 6, 3, 0.02, 0.02)
    est = bootstrap_speedup(base, cand)
    assert est.significant and est.ci[1] < 1.0


def test_a_a_is_not_significant() -> None:
    rng = random.Random(3)
    base = timings(rng, 1e-3, 8, 3, 0.05, 0.02)
    cand = timings(rng, 1e-3, 8, 3, 0.05, 0.02)
    est = bootstrap_speedup(base, cand)
    assert not est.significant
    assert est.ci[0] < 1.0 < est.ci[1]


@pytest.mark.parametrize("processes", [2, 3, 8])
def test_a_a_false_positive_rate_stays_under_nominal(processes: int) -> None:
    claimed = 0
    for seed in range(40):
        rng = random.Random(100 + seed)
        base = timings(rng, 1e-3, processes, 3, 0.05, 0.02)
        cand = timings(rng, 1e-3, processes, 3, 0.05, 0.02)
        if bootstrap_speedup(base, cand, resamples=400, seed=seed).significant:
            claimed += 1
    # A 95% interval: 2 of 40 by chance. An uncorrected percentile bootstrap claimed
    # about 12 of 40 with 2 processes.
    assert claimed <= 2


def test_t_quantiles() -> None:
    expected = {1: 12.706, 2: 4.303, 3: 3.182, 7: 2.365, 30: 2.042}
    for df, t in expected.items():
        assert student_t_quantile(0.95, df) == pytest.approx(t, abs=1e-3)
    assert student_t_quantile(0.99, 3) == pytest.approx(5.841, abs=1e-3)


def test_process_to_process_spread_is_not_mistaken_for_a_speedup() -> None:
    # Tight values inside each process, but processes differ by +-10%: values alone
    # would look like a 5% speedup measured very precisely.
    base = [[1.00e-3] * 5, [1.10e-3] * 5, [0.95e-3] * 5, [1.05e-3] * 5]
    cand = [[0.98e-3] * 5, [1.02e-3] * 5, [0.90e-3] * 5, [1.00e-3] * 5]
    flat = bootstrap_speedup([[v] for c in base for v in c], [[v] for c in cand for v in c])
    assert flat.significant  # what an i.i.d. bootstrap would claim
    est = bootstrap_speedup(base, cand)
    assert not est.significant


def test_deterministic_for_a_seed_and_needs_two_processes() -> None:
    rng = random.Random(4)
    base = timings(rng, 3e-3, 4, 3, 0.02, 0.02)
    cand = timings(rng, 1e-3, 4, 3, 0.02, 0.02)
    assert bootstrap_speedup(base, cand, seed=7) == bootstrap_speedup(base, cand, seed=7)
    one = bootstrap_speedup([[v for c in base for v in c]], [[v for c in cand for v in c]])
    assert one.speedup > 2.5 and one.ci[0] > 1.0
    assert not one.significant


def test_bad_timings_are_refused() -> None:
    with pytest.raises(ValueError, match="baseline"):
        bootstrap_speedup([], [[1.0]])
    with pytest.raises(ValueError, match="candidate"):
        bootstrap_speedup([[1.0]], [[0.0]])
    with pytest.raises(ValueError, match="candidate"):
        bootstrap_speedup([[1.0]], [[1.0], []])


def contended(
    rng: random.Random, center: float, processes: int, values: int, slow_share: float
) -> list[list[float]]:
    """What this machine does: each worker process runs either at full speed or, for its
    whole life, ~1.7x slower (a shared core), and values only ever get slower by noise."""
    out = []
    for _ in range(processes):
        level = center * (1.7 if rng.random() < slow_share else 1.0)
        out.append([level * (1 + abs(rng.gauss(0, 0.02))) for _ in range(values)])
    return out


def test_minimum_recovers_the_speedup_where_the_mean_is_thrown_off() -> None:
    rng = random.Random(7)
    mean_errors, min_errors = [], []
    for _ in range(30):
        base = contended(rng, 2e-3, 8, 3, slow_share=0.4)
        cand = contended(rng, 1e-3, 8, 3, slow_share=0.4)
        by_min = minimum_speedup(base, cand)
        assert by_min.ci[0] <= by_min.speedup <= by_min.ci[1]
        assert by_min.baseline_time == min(min(c) for c in base)
        min_errors.append(abs(by_min.speedup / 2.0 - 1))
        mean_errors.append(abs(bootstrap_speedup(base, cand).speedup / 2.0 - 1))
    assert max(min_errors) < 0.06
    assert max(mean_errors) > 0.15


def test_minimum_a_a_never_reaches_the_bar() -> None:
    rng = random.Random(8)
    for _ in range(50):
        base = contended(rng, 1e-3, 8, 3, slow_share=0.5)
        cand = contended(rng, 1e-3, 8, 3, slow_share=0.5)
        est = minimum_speedup(base, cand)
        assert est.ci[0] < 1.10
        assert 0.95 < est.speedup < 1.05


def test_minimum_needs_two_processes_and_is_deterministic() -> None:
    rng = random.Random(9)
    base = contended(rng, 2e-3, 1, 3, 0.0)
    cand = contended(rng, 1e-3, 1, 3, 0.0)
    assert not minimum_speedup(base, cand).significant
    base = contended(rng, 2e-3, 4, 3, 0.3)
    cand = contended(rng, 1e-3, 4, 3, 0.3)
    assert minimum_speedup(base, cand, seed=3) == minimum_speedup(base, cand, seed=3)
    with pytest.raises(ValueError, match="positive"):
        minimum_speedup([[1.0, 0.0]], cand)


def test_verifier_claims_the_minimum_on_the_hull_of_both_intervals() -> None:
    rng = random.Random(10)
    base = contended(rng, 2e-3, 8, 3, slow_share=0.4)
    cand = contended(rng, 1e-3, 8, 3, slow_share=0.4)
    by_mean, by_min = bootstrap_speedup(base, cand), minimum_speedup(base, cand)
    claim = verifier_speedup(base, cand)
    assert claim.speedup == by_min.speedup and claim.baseline_time == by_min.baseline_time
    assert claim.ci == (min(by_mean.ci[0], by_min.ci[0]), max(by_mean.ci[1], by_min.ci[1]))
    assert claim.significant
    # Never significant where the mean's interval alone would not be: A/A stays 0 here.
    for _ in range(30):
        a = contended(rng, 1e-3, 8, 3, slow_share=0.5)
        b = contended(rng, 1e-3, 8, 3, slow_share=0.5)
        if verifier_speedup(a, b).significant:
            assert bootstrap_speedup(a, b).significant
