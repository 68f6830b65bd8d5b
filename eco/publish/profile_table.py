"""`eco profile` output: the ranked hot-function table, or its JSON document."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from eco import __version__
from eco.profile.records import HotFunction, Profile

_UNIT_WORDS = {"s": "s", "samples": "samples", "share": "share"}


def profile_document(profile: Profile, min_share: float, max_share: float | None = None) -> dict[str, Any]:
    """The JSON document of `eco profile --json`.

    ``functions`` lists every function at or above ``min_share``; with ``max_share`` each
    says whether it is a target (drivers above the maximum are not).
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
        if max_share is not None:
            entry["target"] = f.share <= max_share
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
    """Print the ranked table, then what the reader should know (warnings)."""
    unit = _UNIT_WORDS.get(profile.unit, profile.unit)
    table = Table(title=f"hot functions ({_amount(profile.total_s, profile.unit)} {unit} profiled; "
                        f"{profile.unattributed_share:.1%} outside the repository's functions)", title_justify="left")
    table.add_column("share", justify="right")
    table.add_column(f"rolled-up {unit}", justify="right")
    table.add_column(f"addressable {unit}", justify="right")
    table.add_column(f"cumulative {unit}", justify="right")
    table.add_column("calls", justify="right")
    table.add_column("function")
    table.add_column("hot lines")
    for f in profile.functions:
        if f.share < min_share:
            continue
        name = f"{f.file}:{f.line}::{f.qualname}"
        if max_share is not None and f.share > max_share:
            name += f" (driver: over {max_share:.0%}, not a target)"
        table.add_row(
            f"{f.share:.1%}",
            _amount(f.self_s, profile.unit),
            _amount(f.addressable_s, profile.unit) if f.addressable_s is not None else "-",
            _amount(f.total_s, profile.unit),
            str(f.calls) if f.calls else "-",
            name,
            _hot_lines(f),
        )
    console.print(table)
    console.print(f"from {profile.source} ({', '.join(dict.fromkeys(profile.formats)) or 'unknown format'})",
                  markup=False, highlight=False)
    for warning in profile.warnings:
        console.print(f"note: {warning}", markup=False, highlight=False)
