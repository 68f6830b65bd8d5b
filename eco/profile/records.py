"""What the profile stage hands on: functions ranked by the time charged to them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class HotFunction:
    """A repository function and the workload time charged to it.

    ``self_s`` is rolled up the way ECO localizes cost: time spent in the standard library,
    builtins, dependencies and in code objects that are not functions of their own
    (comprehensions, generator expressions, lambdas, module bodies) is charged to the
    nearest repository function that called it.
    """

    #: Path relative to the repository root, POSIX separators.
    file: str
    #: Dotted qualname without ``<locals>``.
    qualname: str
    #: ``co_firstlineno`` of the code object (first decorator line when decorated).
    line: int
    #: Rolled-up own time, seconds.
    self_s: float
    #: Cumulative time (own plus callees), seconds, as the profiler measured it.
    total_s: float
    #: ``self_s`` as a share of the profile's total time (0..1).
    share: float
    #: Primitive call count.
    calls: int


@dataclass(frozen=True)
class Profile:
    """A profile reduced to repository functions, ranked by ``share``, highest first."""

    #: Every repository function with any time charged, ranked.
    functions: tuple[HotFunction, ...]
    #: Total time of the profile, seconds.
    total_s: float
    #: Where it came from: a file path or the workload command.
    source: str
    #: Share of total time that could not be charged to any repository function.
    unattributed_share: float
    #: The most expensive files outside the repository (for "nothing maps here" errors).
    top_unmapped: tuple[str, ...] = ()

    def targets(self, min_share: float, max_share: float = 1.0) -> list[HotFunction]:
        """Functions whose share is within ``[min_share, max_share]``, ranked."""
        return [f for f in self.functions if min_share <= f.share <= max_share]
