"""One profile file reduced to repository functions: what every reader produces.

Sampled formats (pyinstrument, speedscope, collapsed stacks, pprof) record stacks with a
weight. ECO's localization on a stack is direct: walk from the leaf towards the root and
charge the whole weight to the first frame that is a repository function (a
comprehension or lambda counts as the function that contains it). The line that frame
was on is where the function spent it: a hot line. Every repository function anywhere on
the stack also gets the weight as inclusive time.

cProfile records no stacks but caller edges; `eco.profile.rollup` localizes those.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from eco.profile.resolve import Resolver


@dataclass
class Tally:
    """Costs of one profile file, keyed by `Resolver.owners` index, in ``unit``."""

    #: The file it came from.
    source: str
    #: The detected format (``pstats``, ``collapsed``, ...).
    format: str
    #: ``"s"`` (seconds) or ``"samples"``.
    unit: str
    total: float = 0.0
    unattributed: float = 0.0
    self_cost: dict[int, float] = field(default_factory=lambda: defaultdict(float))
    inclusive: dict[int, float] = field(default_factory=lambda: defaultdict(float))
    #: Primitive calls, only for formats that count calls.
    calls: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    #: owner → line → cost, only for formats that record the executing line.
    lines: dict[int, dict[int, float]] = field(default_factory=dict)
    #: Files outside the repository → own cost (for "is this another program?").
    unmapped: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    has_calls: bool = False
    has_lines: bool = False
    warnings: list[str] = field(default_factory=list)


#: What a stack comes to: (charged owner or -1, the line it was on, every owner on the
#: stack, the leaf's file when the leaf is not a repository function, else "").
Summary = tuple[int, int, frozenset[int], str]
_NOTHING: Summary = (-1, 0, frozenset(), "")


class StackTally:
    """Accumulates weighted stacks of interned frames into a `Tally`.

    Frames are interned with `frame`; a stack is a sequence of frame ids from the root to
    the leaf. Stacks are reduced to their `Summary` as they come, weights add up per
    distinct summary (a profile has far fewer of those than of stacks), and `finish`
    charges each once.
    """

    def __init__(self, resolver: Resolver, tally: Tally, lines: bool) -> None:
        self.resolver = resolver
        self.tally = tally
        self.tally.has_lines = lines
        self._lines = lines
        #: Per frame id: owner index (-1: not a repository function), line, file.
        self.owner: list[int] = []
        self.line: list[int] = []
        self.file: list[str] = []
        self._ids: dict[tuple[str, str, int, int], int] = {}
        self._pending: dict[Summary, float] = {}

    def frame(self, file: str, name: str, line: int = 0, first_line: int = 0) -> int:
        """The id of a frame (file, function name, executing line, first line of its code)."""
        key = (file, name, line, first_line)
        found = self._ids.get(key)
        if found is None:
            found = len(self.owner)
            self._ids[key] = found
            self.owner.append(self.resolver.resolve(file, name, line, first_line))
            self.line.append(line)
            self.file.append(file)
        return found

    def summary(self, stack: Sequence[int]) -> Summary:
        """The `Summary` of a stack of frame ids (root first)."""
        if not stack:
            return _NOTHING
        owners = list(map(self.owner.__getitem__, stack))
        leaf = self.file[stack[-1]] if owners[-1] < 0 else ""
        present = set(owners)
        present.discard(-1)
        if not present:
            return (-1, 0, frozenset(), leaf)
        for k in range(len(owners) - 1, -1, -1):
            if owners[k] >= 0:
                return (owners[k], self.line[stack[k]], frozenset(present), leaf)
        raise AssertionError("unreachable: a present owner was not found")

    def add(self, stack: Sequence[int], weight: float) -> None:
        """Charge ``weight`` for one stack (or an aggregate of identical stacks)."""
        self.charge(self.summary(stack), weight)

    def charge(self, summary: Summary, weight: float) -> None:
        """Charge ``weight`` to a stack already summarised."""
        pending = self._pending
        pending[summary] = pending.get(summary, 0.0) + weight

    def finish(self) -> Tally:
        """Charge everything added into the tally, and return it."""
        tally = self.tally
        for (charged, line, present, leaf), weight in self._pending.items():
            if weight <= 0:
                continue
            tally.total += weight
            if leaf:
                tally.unmapped[leaf] += weight
            if charged < 0:
                tally.unattributed += weight
                continue
            tally.self_cost[charged] += weight
            if self._lines and line > 0:
                per_line = tally.lines.get(charged)
                if per_line is None:
                    per_line = tally.lines[charged] = defaultdict(float)
                per_line[line] += weight
            for owner in present:
                tally.inclusive[owner] += weight
        self._pending.clear()
        return tally
