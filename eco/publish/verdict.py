"""`eco verify` output: the verdict with all its evidence, for people and for programs."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from eco import __version__
from eco.verify.records import Verdict


def verdict_document(file: str, qualname: str, patch: str, verdict: Verdict) -> dict[str, Any]:
    bench = verdict.benchmark
    return {
        "eco_version": __version__,
        "file": file,
        "qualname": qualname,
        "status": verdict.status,
        "reason": verdict.reason,
        "tests": {"command": verdict.tests.command, "passed": verdict.tests.passed,
                  "failed": verdict.tests.failed + verdict.tests.errors} if verdict.tests else None,
        "equivalence": verdict.equivalence.as_json() if verdict.equivalence else None,
        "speedup": round(bench.speedup, 4) if bench else None,
        "ci95": [round(bench.ci95[0], 4), round(bench.ci95[1], 4)] if bench else None,
        "required_speedup": bench.required if bench else None,
        "stages": [{"name": s.name, "ok": s.ok, "detail": s.detail, "seconds": round(s.seconds, 3)}
                   for s in verdict.stages],
        "notes": list(verdict.notes),
        "patch": patch,
    }


def render_verdict(file: str, qualname: str, verdict: Verdict, console: Console) -> None:
    table = Table(title=f"eco verify {file}::{qualname}", title_justify="left")
    table.add_column("stage")
    table.add_column("result")
    table.add_column("evidence", overflow="fold")
    for stage in verdict.stages:
        table.add_row(stage.name, Text("ok" if stage.ok else "FAILED", style="green" if stage.ok else "red"), stage.detail)
    console.print(table)
    for note in verdict.notes:
        console.print(f"note: {note}", markup=False)
    style = "bold green" if verdict.status == "verified" else "bold red"
    console.print(Text(f"{verdict.status}" + (f": {verdict.reason}" if verdict.reason else ""), style=style))
