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


class StackTally:
    """Accumulates weighted stacks of interned frames into a `Tally`.

    Frames are interned with `frame`; a stack is a sequence of frame ids from the root to
    the leaf. Identical stacks are summarised once and cached.
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
        self._summaries: dict[tuple[int, ...], tuple[int, int, tuple[int, ...], str]] = {}

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

    def summary(self, stack: Sequence[int]) -> tuple[int, int, tuple[int, ...], str]:
        """(charged owner or -1, its line, every owner on the stack, the leaf's file when the
        leaf is not a repository function, else "")."""
        owner = self.owner
        charged, line = -1, 0
        for fid in reversed(stack):
            if owner[fid] >= 0:
                charged, line = owner[fid], self.line[fid]
                break
        present = tuple({owner[fid] for fid in stack if owner[fid] >= 0})
        leaf = self.file[stack[-1]] if stack and owner[stack[-1]] < 0 else ""
        return charged, line, present, leaf

    def add(self, stack: Sequence[int], weight: float) -> None:
        """Charge ``weight`` for one sample (or an aggregate of identical samples)."""
        key = tuple(stack)
        summary = self._summaries.get(key)
        if summary is None:
            summary = self.summary(key)
            self._summaries[key] = summary
        self.add_summary(summary, weight)

    def add_summary(self, summary: tuple[int, int, tuple[int, ...], str], weight: float) -> None:
        if weight <= 0:
            return
        charged, line, present, leaf = summary
        tally = self.tally
        tally.total += weight
        if leaf:
            tally.unmapped[leaf] += weight
        if charged < 0:
            tally.unattributed += weight
            return
        tally.self_cost[charged] += weight
        if self._lines and line > 0:
            per_line = tally.lines.get(charged)
            if per_line is None:
                per_line = tally.lines[charged] = defaultdict(float)
            per_line[line] += weight
        inclusive = tally.inclusive
        for owner in present:
            inclusive[owner] += weight
