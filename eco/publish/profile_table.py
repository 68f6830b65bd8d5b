"""`eco profile` output: the ranked hot-function table, or its JSON document."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from eco import __version__
from eco.profile.records import HotFunction, Profile

_UNIT_WORDS = {"s": "s", "samples": "samples", "share": "share"}


def profile_document(profile: Profile, min_share: float,
                     target_range: tuple[float, float] | None = None) -> dict[str, Any]:
    """The JSON document of `eco profile --json`.

    ``functions`` lists every function at or above ``min_share``; with ``target_range``
    (the configured min_share and max_share) each says whether it is a target.
    """
    functions = []
    for f in profile.functions:
        if f.share < min_share:
            continue
        entry: dict[str, Any] = {
            "file": f.file, "qualname": f.qualname, "line": f.line, "share": f.share,
            "self_s": f.self_s, "total_s": f.total_s, "calls": f.calls,
            "addressable_s": f.addressable_s,
            "hot_lines": [[line, cost] for line, cost in f.hot_lines],
        }
        if target_range is not None:
            entry["target"] = target_range[0] <= f.share <= target_range[1]
        functions.append(entry)
    return {
        "eco_version": __version__,
        "source": profile.source,
        "formats": list(profile.formats),
        "unit": profile.unit,
        "total_s": profile.total_s,
        "unattributed_share": profile.unattributed_share,
        "warnings": list(profile.warnings),
        "functions": functions,
    }


def _amount(value: float, unit: str) -> str:
    if unit == "samples":
        return f"{value:.0f}" if abs(value - round(value)) < 1e-6 else f"{value:.1f}"
    return f"{value:.4f}"


def _hot_lines(f: HotFunction, n: int = 3) -> str:
    if not f.hot_lines or f.self_s <= 0:
        return "-"
    return ", ".join(f"L{line} {cost / f.self_s:.0%}" for line, cost in f.hot_lines[:n])


def render_profile(profile: Profile, min_share: float, console: Console, max_share: float | None = None) -> None:
    """Print the ranked table, then where it came from and what the reader should know.

    Columns a profile cannot fill are left out: call counts and addressable time need a
    tracing profile (cProfile), hot lines a sampled one.
    """
    unit = _UNIT_WORDS.get(profile.unit, profile.unit)
    shown = [f for f in profile.functions if f.share >= min_share]
    with_calls = any(f.calls for f in shown)
    with_lines = any(f.hot_lines for f in shown)
    table = Table(title=f"hot functions, {unit} ({_amount(profile.total_s, profile.unit)} profiled; "
                        f"{profile.unattributed_share:.1%} outside the repository's functions)", title_justify="left")
    table.add_column("share", justify="right", no_wrap=True)
    table.add_column("self", justify="right", no_wrap=True)
    if with_calls:
        table.add_column("addressable", justify="right", no_wrap=True)
    table.add_column("total", justify="right", no_wrap=True)
    if with_calls:
        table.add_column("calls", justify="right", no_wrap=True)
    names = [f"{f.file}:{f.line}::{f.qualname}" for f in shown]
    table.add_column("function", no_wrap=True, min_width=min(max(map(len, names), default=8), 60))
    if with_lines:
        table.add_column("hot lines", overflow="fold")
    over = False
    for f in shown:
        share = f"{f.share:.1%}"
        if max_share is not None and f.share > max_share:
            share += "*"
            over = True
        row = [share, _amount(f.self_s, profile.unit)]
        if with_calls:
            row.append(_amount(f.addressable_s, profile.unit) if f.addressable_s is not None else "-")
        row.append(_amount(f.total_s, profile.unit))
        if with_calls:
            row.append(str(f.calls) if f.calls else "-")
        row.append(names[len(table.rows)])
        if with_lines:
            row.append(_hot_lines(f))
        table.add_row(*row)
    console.print(table)
    if over and max_share is not None:
        console.print(f"* above max_share ({max_share:.0%}): usually a driver such as main, not a target",
                      markup=False, highlight=False)
    console.print(f"from {profile.source} ({', '.join(dict.fromkeys(profile.formats)) or 'unknown format'})",
                  markup=False, highlight=False)
    for warning in profile.warnings:
        console.print(f"note: {warning}", markup=False, highlight=False)
