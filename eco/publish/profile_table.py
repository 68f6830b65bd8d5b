"""`eco profile` output: the ranked hot-function table."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from eco import __version__
from eco.profile.records import Profile


def profile_document(profile: Profile, min_share: float) -> dict[str, Any]:
    return {
        "eco_version": __version__,
        "source": profile.source,
        "total_s": profile.total_s,
        "unattributed_share": profile.unattributed_share,
        "functions": [
            {"file": f.file, "qualname": f.qualname, "line": f.line, "share": f.share,
             "self_s": f.self_s, "total_s": f.total_s, "calls": f.calls}
            for f in profile.functions if f.share >= min_share
        ],
    }


def render_profile(profile: Profile, min_share: float, console: Console) -> None:
    table = Table(title=f"hot functions ({profile.total_s:.3f} s profiled; "
                        f"{profile.unattributed_share:.1%} outside the repository's functions)", title_justify="left")
    table.add_column("share", justify="right")
    table.add_column("rolled-up s", justify="right")
    table.add_column("cumulative s", justify="right")
    table.add_column("calls", justify="right")
    table.add_column("function")
    for f in profile.functions:
        if f.share >= min_share:
            table.add_row(f"{f.share:.1%}", f"{f.self_s:.4f}", f"{f.total_s:.4f}", str(f.calls), f"{f.file}:{f.line}::{f.qualname}")
    console.print(table)
