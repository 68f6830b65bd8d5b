"""The human report: a table of hot functions, then the diff of every verified patch."""

from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

from eco.results import FunctionResult, SuggestResult

_STYLE = {"verified": "bold green", "rejected": "yellow", "no-candidate": "dim", "error": "bold red"}


def _speedup(result: FunctionResult) -> str:
    bench = result.verdict.benchmark if result.verdict else None
    if bench is None:
        return "-"
    return f"{bench.speedup:.2f}x [{bench.ci95[0]:.2f}-{bench.ci95[1]:.2f}]"


def render_report(result: SuggestResult, console: Console) -> None:
    """Print the report for a `suggest` run to ``console``."""
    table = Table(title=f"eco: hot functions of {result.root.name} ({result.workload})", title_justify="left")
    table.add_column("share", justify="right")
    table.add_column("function")
    table.add_column("tried")
    table.add_column("verdict")
    table.add_column("speedup (95% CI)", justify="right")
    table.add_column("why", overflow="fold")
    for r in result.results:
        tried = r.candidate.antipattern or r.candidate.drafter if r.candidate else "-"
        table.add_row(
            f"{r.hot.share:.1%}",
            f"{r.hot.file}::{r.hot.qualname}",
            tried or "-",
            Text(r.status, style=_STYLE[r.status]),
            _speedup(r),
            r.reason,
        )
    console.print(table)
    verified = [r for r in result.results if r.status == "verified" and r.candidate]
    for r in verified:
        assert r.candidate is not None and r.verdict is not None
        evidence = []
        if r.verdict.tests:
            evidence.append(f"tests: {r.verdict.tests.passed} passed")
        if r.verdict.equivalence:
            e = r.verdict.equivalence
            derived = f" and {e.derived} derived edge cases" if e.derived else ""
            evidence.append(f"replayed {e.inputs} captured calls{derived}, 0 mismatches")
        header = Text(f"{r.candidate.rationale}\n{'; '.join(evidence)}\n", style="italic")
        console.print(Panel(Group(header, Syntax(r.candidate.patch, "diff", theme="ansi_dark", background_color="default")),
                            title=f"{r.hot.file}::{r.hot.qualname}  {_speedup(r)}", title_align="left"))
    for r in result.results:
        if r.lineage:
            console.print(_lineage(r), highlight=False, markup=False)
    counts = {s: sum(1 for r in result.results if r.status == s) for s in _STYLE}
    summary = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    console.print(f"{len(result.results)} hot function(s): {summary or 'none above the floor'}")
    for warning in result.warnings:
        console.print(f"[yellow]warning:[/] {warning}")


def _lineage(result: FunctionResult) -> str:
    """One line per candidate an LLM proposed: where it came from and how far it got."""
    lines = [f"candidates for {result.hot.file}::{result.hot.qualname}:"]
    for c in result.lineage:
        speed = f" {c.speedup:.2f}x" if c.speedup is not None else ""
        why = c.picked or (c.reason.splitlines()[0] if c.reason else "")
        why = why if len(why) <= 90 else why[:87] + "..."
        mark = "picked: " if c.picked else ""
        lines.append(f"  {c.id} {c.origin[:100]} -> {c.status} at {c.stage}{speed}"
                     + (f" ({mark}{why})" if why else ""))
    return "\n".join(lines)
