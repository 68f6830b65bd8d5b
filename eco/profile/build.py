"""From per-file tallies to one ranked `Profile`: ECO's fleet-wide aggregation.

Each profile file is first normalised to shares of its own total, so that a long run does
not drown a short one, then weighted (``--weight FILE=W``, default 1) and summed:

    share(f) = Σ_p w_p · cost_p(f) / total_p  /  Σ_p w_p

Costs are reported in the files' common unit scaled to their summed total (seconds when
every file is timed, samples when every file counts samples, plain shares when they mix),
so a single profile keeps its own numbers exactly.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from eco.profile.records import HotFunction, Profile
from eco.profile.resolve import Resolver
from eco.profile.tally import Tally

#: Hot lines kept per function.
MAX_HOT_LINES = 20

_LINELESS = {
    "pstats": "cProfile/pstats records no line numbers",
    "pyinstrument-json": "pyinstrument's JSON report keeps only each function's first line (its session file, -r pyisession, has lines)",
    "speedscope-pyinstrument": "pyinstrument's speedscope export keeps only each function's first line",
}


def build_profile(tallies: Sequence[Tally], weights: Sequence[float], resolver: Resolver, source: str) -> Profile:
    """Merge tallies (one per profile file) into one ranking of repository functions."""
    live = [(t, w) for t, w in zip(tallies, weights, strict=True) if t.total > 0 and w > 0]
    units = {t.unit for t, _ in live}
    unit = units.pop() if len(units) == 1 else "share"
    grand = sum(t.total for t, _ in live) if unit != "share" else 1.0
    weight_sum = sum(w for _, w in live)

    self_cost: dict[int, float] = defaultdict(float)
    inclusive: dict[int, float] = defaultdict(float)
    calls: dict[int, int] = defaultdict(int)
    lines: dict[int, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    unmapped: dict[str, float] = defaultdict(float)
    unattributed = 0.0
    with_calls: set[int] = set()
    for tally, weight in live:
        factor = weight / weight_sum / tally.total * grand
        for owner, cost in tally.self_cost.items():
            self_cost[owner] += cost * factor
        for owner, cost in tally.inclusive.items():
            inclusive[owner] += cost * factor
        if tally.has_calls:
            for owner, n in tally.calls.items():
                calls[owner] += n
                with_calls.add(owner)
        for owner, per_line in tally.lines.items():
            for line, cost in per_line.items():
                lines[owner][line] += cost * factor
        for file, cost in tally.unmapped.items():
            unmapped[file] += cost * factor
        unattributed += tally.unattributed * factor

    hot: list[HotFunction] = []
    for owner_index, cost in self_cost.items():
        fn_owner = resolver.owners[owner_index]
        incl = max(inclusive.get(owner_index, 0.0), cost)
        n = calls.get(owner_index, 0)
        addressable = cost + (incl - cost) / n if owner_index in with_calls and n > 0 else None
        ranked_lines = sorted(lines.get(owner_index, {}).items(), key=lambda item: (-item[1], item[0]))
        hot.append(
            HotFunction(
                file=fn_owner.file,
                qualname=fn_owner.fn.qualname,
                line=fn_owner.fn.start_line,
                self_s=cost,
                total_s=incl,
                share=cost / grand if grand > 0 else 0.0,
                calls=n,
                addressable_s=addressable,
                hot_lines=tuple((line, c) for line, c in ranked_lines[:MAX_HOT_LINES]),
            )
        )
    hot.sort(key=lambda h: (-h.share, h.file, h.line))

    warnings: list[str] = []
    for tally in tallies:
        warnings.extend(tally.warnings)
        if tally.total > 0 and not tally.self_cost and len(tallies) > 1:
            files = ", ".join(_top(tally.unmapped)) or "none"
            warnings.append(f"{tally.source}: no frame maps to the repository (most expensive files: {files})")
    lineless = sorted({t.format for t in tallies if not t.has_lines})
    if lineless and not any(t.has_lines for t in tallies):
        why = "; ".join(_LINELESS.get(f, f"{f} records no line numbers") for f in lineless)
        warnings.append(f"no hot lines: {why}; a sampled profile (pyinstrument session, py-spy, austin, pprof) has them")
    return Profile(
        functions=tuple(hot),
        total_s=grand,
        source=source,
        unattributed_share=unattributed / grand if grand > 0 else 0.0,
        top_unmapped=tuple(_top(unmapped)),
        unit=unit,
        formats=tuple(t.format for t in tallies),
        warnings=tuple(warnings),
    )


def _top(costs: dict[str, float], n: int = 5) -> list[str]:
    return sorted(costs, key=lambda f: (-costs[f], f))[:n]


def describe_unmapped(profile: Profile, root: Path) -> str:
    """One line saying that no frame maps to the repository, with the top unmapped files."""
    files = ", ".join(profile.top_unmapped) or "none"
    return (
        f"{profile.source}: no profiled function lives in {root} "
        f"(is it a profile of another program? taken in another checkout or container, "
        f"try --path-map OLD=NEW); most expensive files: {files}"
    )
