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
    #: Primitive call count (0 when the format records no calls: sampled profiles).
    calls: int
    #: Own time plus callee time per call (``self_s + (total_s - self_s) / calls``), the
    #: cost one call could save; None when the profile has no call counts.
    addressable_s: float | None = None
    #: ``(line, cost)`` in the same unit as ``self_s``, most expensive first: where inside the
    #: function the sampled profiles caught it. Empty when no profile had line numbers.
    hot_lines: tuple[tuple[int, float], ...] = ()


@dataclass(frozen=True)
class Profile:
    """A profile reduced to repository functions, ranked by ``share``, highest first."""

    #: Every repository function with any time charged, ranked.
    functions: tuple[HotFunction, ...]
    #: Total cost of the profile, in ``unit`` (seconds for timed profiles).
    total_s: float
    #: Where it came from: a file path or the workload command.
    source: str
    #: Share of total time that could not be charged to any repository function.
    unattributed_share: float
    #: The most expensive files outside the repository (for "nothing maps here" errors).
    top_unmapped: tuple[str, ...] = ()
    #: Unit of ``total_s``, ``self_s``, ``total_s`` and hot-line costs: ``"s"`` (seconds),
    #: ``"samples"`` (sample counts of an untimed profile) or ``"share"`` (fractions of the
    #: whole, when profiles with different units were merged).
    unit: str = "s"
    #: Format of each profile read, in order (``pstats``, ``pyinstrument-session``, ...).
    formats: tuple[str, ...] = ()
    #: Things a person should know about how the numbers were made (no line numbers, ...).
    warnings: tuple[str, ...] = ()

    def targets(self, min_share: float, max_share: float = 1.0) -> list[HotFunction]:
        """Functions whose share is within ``[min_share, max_share]``, ranked."""
        return [f for f in self.functions if min_share <= f.share <= max_share]


@dataclass(frozen=True)
class ReadOptions:
    """How profile files are read and merged (see `eco.profile.load_profile`)."""

    #: ``OLD=NEW`` prefix maps for file names recorded in another checkout or container.
    path_map: tuple[str, ...] = ()
    #: ``FILE=W`` weights (FILE: a path, directory or glob); unnamed files weigh 1.
    weights: tuple[str, ...] = ()
    #: pprof sample type to rank by (``cpu``, ``wall``, ``type/unit``); None picks one.
    sample_type: str | None = None
