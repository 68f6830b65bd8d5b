"""Speedup statistics: ratios of means and of minima, with seeded bootstrap intervals.

Timings come in *clusters*: the values one pyperf worker process measured. Values from
one process share its memory layout, hash seed effects and the machine's state at that
moment, so they are not independent; treating them as independent makes intervals too
narrow and claims speedups that do not hold. The bootstrap therefore resamples at both
levels, each side independently: first processes (with replacement), then values within
each chosen process. With few processes this is, if anything, conservative, which is the
side to err on ("a false verified is the worst bug eco can have").

A plain percentile bootstrap over few processes is still too narrow: it sees the spread
of n processes as if it were the spread of the population (a factor (n-1)/n on the
variance) and uses normal rather than Student-t quantiles. Measured on synthetic A/A
data, it called 30% of 2-process A/A pairs significant. So the percentile interval is
widened around the point estimate, on the log scale, by
``t(conf, n-1) / z(conf) * sqrt(n / (n-1))`` with ``n`` the smaller process count
(x1.29 for 8 processes, x9 for 2). On the same data this brings A/A false positives
under the nominal 5% (see tests/verify/test_stats.py).

Pure Python, deterministic for a given seed.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from statistics import NormalDist

__all__ = [
    "SpeedupEstimate",
    "bootstrap_speedup",
    "mean",
    "minimum_speedup",
    "student_t_quantile",
    "verifier_speedup",
]

#: Fewer processes than this on either side: never significant (the spread between
#: processes cannot be estimated from one).
MIN_CLUSTERS = 2


@dataclass(frozen=True)
class SpeedupEstimate:
    """baseline / candidate, with its interval."""

    #: baseline time / candidate time (the statistic's: mean or minimum); > 1 means the
    #: candidate is faster.
    speedup: float
    #: Percentile bootstrap interval at the requested confidence, widened for few
    #: processes (module docstring).
    ci: tuple[float, float]
    #: True when the interval excludes 1.0 (either way) and both sides have at least
    #: `MIN_CLUSTERS` processes.
    significant: bool
    #: The statistic's baseline and candidate times (seconds per pass).
    baseline_time: float
    candidate_time: float


def mean(values: Sequence[float]) -> float:
    """The arithmetic mean (exactly rounded sum)."""
    if not values:
        raise ValueError("mean of no values")
    return math.fsum(values) / len(values)


def _t_central(t: float, df: int) -> float:
    """P(|T| <= t) for Student's t with integer ``df`` (Abramowitz & Stegun 26.7.3-4)."""
    theta = math.atan(t / math.sqrt(df))
    c2 = math.cos(theta) ** 2
    if df % 2 == 1:
        total, term = 0.0, math.cos(theta)
        for k in range(1, (df - 1) // 2 + 1):
            if k > 1:
                term *= c2 * (2 * k - 2) / (2 * k - 1)
            total += term
        return 2 / math.pi * (theta + math.sin(theta) * total) if df > 1 else 2 * theta / math.pi
    total, term = 1.0, 1.0
    for k in range(1, df // 2):
        term *= c2 * (2 * k - 1) / (2 * k)
        total += term
    return math.sin(theta) * total


@lru_cache(maxsize=256)
def student_t_quantile(confidence: float, df: int) -> float:
    """The t with P(|T| <= t) = ``confidence`` for Student's t with ``df`` >= 1 (bisection)."""
    if df < 1 or not 0.0 < confidence < 1.0:
        raise ValueError(f"bad t quantile request: confidence={confidence}, df={df}")
    lo, hi = 0.0, 1.0
    while _t_central(hi, df) < confidence:
        hi *= 2
    for _ in range(200):
        mid = (lo + hi) / 2
        if _t_central(mid, df) < confidence:
            lo = mid
        else:
            hi = mid
    return hi


def _widening(clusters: int, confidence: float) -> float:
    if clusters < 2:
        return 1.0  # no spread between processes to correct; never significant anyway
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    return student_t_quantile(confidence, clusters - 1) / z * math.sqrt(clusters / (clusters - 1))


def _flatten(clusters: Sequence[Sequence[float]], side: str) -> list[float]:
    values = [v for c in clusters for v in c]
    if not values or any(not c for c in clusters):
        raise ValueError(f"{side}: every process must contribute at least one value")
    if any(not (v > 0 and math.isfinite(v)) for v in values):
        raise ValueError(f"{side}: timings must be positive and finite")
    return values


def _resampled_mean(rng: random.Random, clusters: Sequence[Sequence[float]]) -> float:
    total = 0.0
    count = 0
    for cluster in rng.choices(clusters, k=len(clusters)):
        total += math.fsum(rng.choices(cluster, k=len(cluster)))
        count += len(cluster)
    return total / count


def _widen(point: float, lo: float, hi: float, clusters: int, confidence: float) -> tuple[float, float]:
    """The small-sample correction (module docstring), on the log scale around ``point``;
    never narrower than the interval itself, and always containing ``point``."""
    w = _widening(clusters, confidence)
    center = math.log(point)
    lo = min(lo, point, math.exp(center + w * (math.log(lo) - center)))
    hi = max(hi, point, math.exp(center + w * (math.log(hi) - center)))
    return lo, hi


def _estimate(
    baseline_time: float,
    candidate_time: float,
    ratios: Sequence[float],
    baseline_clusters: int,
    candidate_clusters: int,
    confidence: float,
) -> SpeedupEstimate:
    """The point estimate with its widened percentile interval from sorted ``ratios``."""
    alpha = 1.0 - confidence
    resamples = len(ratios)
    lo = ratios[max(0, math.floor(alpha / 2 * resamples))]
    hi = ratios[min(resamples - 1, math.ceil((1 - alpha / 2) * resamples) - 1)]
    speedup = baseline_time / candidate_time
    lo, hi = _widen(speedup, lo, hi, min(baseline_clusters, candidate_clusters), confidence)
    enough = baseline_clusters >= MIN_CLUSTERS and candidate_clusters >= MIN_CLUSTERS
    return SpeedupEstimate(
        speedup=speedup,
        ci=(lo, hi),
        significant=enough and (lo > 1.0 or hi < 1.0),
        baseline_time=baseline_time,
        candidate_time=candidate_time,
    )


def minimum_speedup(
    baseline: Sequence[Sequence[float]],
    candidate: Sequence[Sequence[float]],
    *,
    resamples: int = 2000,
    confidence: float = 0.95,
    seed: int = 0,
) -> SpeedupEstimate:
    """min(baseline values) / min(candidate values), with a process-level bootstrap interval.

    Each value is already the mean time per pass over at least pyperf's ``min_time`` of
    loops, so what a value's minimum drops is interference from outside (another process
    on the core, a worker scheduled onto a slow or shared core for its whole life), not
    the function's own costs such as garbage collection: noise on a timing is one-sided,
    and the minimum is the robust estimate of location under it (Chen & Revels, "Robust
    benchmarking in noisy environments", 2016; BenchmarkTools.jl judges on it). On this
    project's shared 2-core machine, A/A ratios of minima stayed within +-5% where ratios
    of means spread over -14%..+25% (benchmarks/verifier_calibration.py).

    The interval resamples whole processes (their minima) on each side, then is widened
    as `bootstrap_speedup`'s. The interval of a minimum is narrow and its coverage is
    below nominal (A/A pairs came out "significant" 15% of the time), so the verifier
    does not use it alone: it takes the hull of this interval and the mean's
    (`verifier_speedup`), which is never more lenient than the mean's.
    """
    _flatten(baseline, "baseline")
    _flatten(candidate, "candidate")
    b_clusters = [min(c) for c in baseline]
    c_clusters = [min(c) for c in candidate]
    b_min, c_min = min(b_clusters), min(c_clusters)
    rng = random.Random(seed)
    ratios = sorted(
        min(rng.choices(b_clusters, k=len(b_clusters))) / min(rng.choices(c_clusters, k=len(c_clusters)))
        for _ in range(resamples)
    )
    return _estimate(b_min, c_min, ratios, len(baseline), len(candidate), confidence)


def bootstrap_speedup(
    baseline: Sequence[Sequence[float]],
    candidate: Sequence[Sequence[float]],
    *,
    resamples: int = 2000,
    confidence: float = 0.95,
    seed: int = 0,
) -> SpeedupEstimate:
    """Estimate how much faster ``candidate`` is than ``baseline``.

    Args:
        baseline: Seconds per pass, one inner sequence per worker process.
        candidate: The same for the candidate.
        resamples: Bootstrap resamples.
        confidence: Coverage of the interval (0.95 gives the 95% interval).
        seed: Seed of the resampling; equal inputs give equal outputs.

    Raises:
        ValueError: a side without values, or a timing that is not a positive number.
    """
    b_values = _flatten(baseline, "baseline")
    c_values = _flatten(candidate, "candidate")
    b_mean, c_mean = mean(b_values), mean(c_values)
    rng = random.Random(seed)
    ratios = sorted(
        _resampled_mean(rng, baseline) / _resampled_mean(rng, candidate) for _ in range(resamples)
    )
    return _estimate(b_mean, c_mean, ratios, len(baseline), len(candidate), confidence)


def verifier_speedup(
    baseline: Sequence[Sequence[float]],
    candidate: Sequence[Sequence[float]],
    *,
    confidence: float = 0.95,
    seed: int = 0,
) -> SpeedupEstimate:
    """What the verifier claims and decides on: the ratio of minima (accurate under the
    one-sided noise of a shared machine, `minimum_speedup`) with the hull of the
    minimum's and the mean's intervals, so a claim is never accepted on less evidence
    than the mean's interval alone would give (A/A calibration:
    benchmarks/verifier_calibration.py)."""
    by_mean = bootstrap_speedup(baseline, candidate, confidence=confidence, seed=seed)
    by_min = minimum_speedup(baseline, candidate, confidence=confidence, seed=seed)
    lo = min(by_mean.ci[0], by_min.ci[0])
    hi = max(by_mean.ci[1], by_min.ci[1])
    enough = min(len(baseline), len(candidate)) >= MIN_CLUSTERS
    return replace(by_min, ci=(lo, hi), significant=enough and (lo > 1.0 or hi < 1.0))
