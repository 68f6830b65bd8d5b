"""ECO's localization: charge shared-code time to the repository function that caused it.

The input is a call graph with per-edge self time, as cProfile records it: for every
function, its own time and, per caller, the part of that own time spent on calls from
that caller. A function that is not a target of its own (standard library, builtins,
third-party code, tests, and code objects such as ``<listcomp>``, ``<genexpr>``,
``<lambda>`` and ``<module>``) passes its own time up to its callers in proportion to
those edges, until it reaches repository functions. Time that reaches no repository
function (the interpreter's start-up, a test runner's own work) stays unattributed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass

#: (file, first line, code name), as cProfile keys functions.
FrameKey = tuple[str, int, str]


@dataclass(frozen=True)
class FrameStats:
    """One code object's numbers from a profile."""

    key: FrameKey
    self_s: float
    total_s: float
    calls: int
    #: caller → (calls from that caller, this function's own time spent on them)
    callers: Mapping[FrameKey, tuple[int, float]]


def rollup(
    frames: Mapping[FrameKey, FrameStats], is_target: Callable[[FrameKey], bool]
) -> tuple[dict[FrameKey, float], float]:
    """Rolled-up own time per target frame, and the time that reached no target."""
    memo: dict[FrameKey, dict[FrameKey, float]] = {}
    in_progress: set[FrameKey] = set()

    def shares(key: FrameKey) -> dict[FrameKey, float]:
        """Fractions of ``key``'s own time that belong to each target frame."""
        if key in memo:
            return memo[key]
        if key in in_progress:  # a cycle through shared code: charge nothing along it
            return {}
        in_progress.add(key)
        result: dict[FrameKey, float] = defaultdict(float)
        frame = frames.get(key)
        edges = dict(frame.callers) if frame else {}
        weights = {caller: t for caller, (_n, t) in edges.items() if t > 0}
        if not weights:  # no time split recorded: fall back to call counts
            weights = {caller: float(n) for caller, (n, _t) in edges.items() if n > 0}
        total = sum(weights.values())
        if total > 0:
            for caller, weight in weights.items():
                part = weight / total
                if is_target(caller):
                    result[caller] += part
                else:
                    for owner, fraction in shares(caller).items():
                        result[owner] += part * fraction
        in_progress.discard(key)
        memo[key] = dict(result)
        return memo[key]

    charged: dict[FrameKey, float] = defaultdict(float)
    unattributed = 0.0
    for key, frame in frames.items():
        if is_target(key):
            charged[key] += frame.self_s
            continue
        if frame.self_s <= 0:
            continue
        owners = shares(key)
        placed = 0.0
        for owner, fraction in owners.items():
            charged[owner] += frame.self_s * fraction
            placed += fraction
        unattributed += frame.self_s * max(0.0, 1.0 - placed)
    return dict(charged), unattributed
