"""The pull request a reviewer reads: title, branch name and a body with the evidence.

What a reviewer needs to trust the change at a glance: which function and how much of
the workload it costs, the anti-pattern (with the catalog's explanation), precedents with
links, the benchmark table, the tests and equivalence replay that passed, the diff, and
the exact commands to reproduce the verdict locally. Every body starts with a hidden
marker (`marker`) that eco reads back from GitHub to deduplicate without its ledger.

Nothing here reads the environment: the body is built only from the verified result,
so no secret can reach it.
"""

from __future__ import annotations

import platform
import re
import shlex
from collections.abc import Sequence

from eco.publish.ledger import source_hash
from eco.results import FunctionResult

__all__ = [
    "DEFAULT_CATALOG_URL",
    "branch_name",
    "campaign_body",
    "marker",
    "parse_markers",
    "pull_body",
    "pull_title",
    "result_key",
]

#: Where the catalog entries are read online (``{id}`` is the anti-pattern id). None:
#: eco has no canonical public home yet, so a body names the entry and the command that
#: shows it (`eco antipatterns show ID`) rather than link to a guessed address.
DEFAULT_CATALOG_URL: str | None = None


def _catalog_ref(text: str, entry_id: str, catalog_url: str | None) -> str:
    if catalog_url:
        return f"[{text}]({catalog_url.format(id=entry_id)})"
    return f"{text} (`eco antipatterns show {entry_id}`)"

_MARKER = re.compile(r"<!-- eco:(?P<file>[^\n]+?)::(?P<qualname>[^\n:]+):(?P<hash>[0-9a-f]{16}) -->")
_GITHUB_REPO = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
_SHA = re.compile(r"^[0-9a-f]{7,40}$")


def result_key(result: FunctionResult) -> tuple[str, str, str]:
    """``(file, qualname, source hash of the function's baseline source)``."""
    source = result.target.source if result.target is not None else ""
    return result.hot.file, result.hot.qualname, source_hash(source)


def marker(file: str, qualname: str, code_hash: str) -> str:
    """The hidden line that identifies the function and code a PR changes."""
    return f"<!-- eco:{file}::{qualname}:{code_hash} -->"


def parse_markers(body: str | None) -> list[tuple[str, str, str]]:
    """Every ``(file, qualname, source hash)`` marker in a PR body."""
    return [(m["file"], m["qualname"], m["hash"]) for m in _MARKER.finditer(body or "")]


def _slug(text: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.")
    return re.sub(r"-{2,}", "-", slug).replace("..", ".") or "x"


def branch_name(result: FunctionResult, prefix: str = "eco/") -> str:
    """``eco/<module-path>-<function>-<anti-pattern>``, safe as a git ref name."""
    module = result.hot.file.removesuffix(".py").replace("/", ".")
    antipattern = _antipattern(result) or (result.candidate.drafter if result.candidate else "change")
    name = f"{_slug(module)}-{_slug(result.hot.qualname)}-{_slug(antipattern)}"
    return prefix + name.removesuffix(".lock")[:200]


def _antipattern(result: FunctionResult) -> str | None:
    if result.candidate is not None and result.candidate.antipattern:
        return result.candidate.antipattern
    return None


def _speedup(result: FunctionResult) -> float | None:
    return result.verdict.speedup if result.verdict is not None else None


def pull_title(result: FunctionResult) -> str:
    """``perf: <qualname> — <anti-pattern> (1.8x)``."""
    speedup = _speedup(result)
    what = (_antipattern(result) or "").replace("+", " + ") or (
        f"{result.candidate.drafter if result.candidate else 'eco'} rewrite")
    tail = f" ({speedup:.1f}x)" if speedup else ""
    return f"perf: {result.hot.qualname} — {what}{tail}"


def _catalog_entry(antipattern: str | None) -> tuple[str, str] | None:
    """(title, why) of a catalog entry, or None when unknown or the catalog cannot load."""
    if not antipattern:
        return None
    from eco.catalog import load_catalog
    from eco.errors import EcoError

    try:
        entry = load_catalog().get(antipattern)
    except (EcoError, KeyError):
        return None
    return entry.title, " ".join(entry.why.split())


def _seconds(value: float) -> str:
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if value >= scale:
            return f"{value / scale:.3g} {unit}"
    return f"{value / 1e-9:.3g} ns"


def _precedent_line(repo: str, sha: str, message: str, score: float, catalog_url: str | None) -> str:
    first = message.strip().splitlines()[0][:120] if message.strip() else ""
    if repo == "eco/antipatterns":
        where = _catalog_ref(f"catalog: {sha}", sha, catalog_url)
    elif _GITHUB_REPO.match(repo) and _SHA.match(sha):
        where = f"[{repo}@{sha[:10]}](https://github.com/{repo}/commit/{sha})"
    else:
        where = f"`{repo}` `{sha[:12]}`"
    return f"- {where}" + (f" — {first}" if first else "") + f" (similarity {score:.2f})"


def _fence(text: str, lang: str = "") -> str:
    """A code fence longer than any run of backticks inside ``text``."""
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}{lang}\n{text.rstrip()}\n{ticks}"


def machine_line() -> str:
    """Where the benchmark ran: this process's machine and Python (the run and the
    verification happen in the same process, on the same machine)."""
    return (f"{platform.system()} {platform.machine()}, {platform.python_implementation()} "
            f"{platform.python_version()}")


def _evidence(result: FunctionResult, workload: str, catalog_url: str | None, base_branch: str, branch: str,
              heading: str = "###") -> list[str]:
    hot, verdict, candidate = result.hot, result.verdict, result.candidate
    lines: list[str] = []
    share = f"**{hot.share:.1%}** of the workload's time" if hot.share else "a function this change touches"
    lines.append(f"`{hot.file}::{hot.qualname}` (line {hot.line}) takes {share}"
                 + (f" (`{workload}`)." if workload else "."))
    antipattern = _antipattern(result)
    # A recipe that fixed several anti-patterns at once names them joined by "+".
    for one in antipattern.split("+") if antipattern else []:
        entry = _catalog_entry(one)
        title = entry[0] if entry else one
        lines.append("")
        lines.append(f"**Anti-pattern:** {_catalog_ref(title, one, catalog_url)} (`{one}`)"
                     + (f". {entry[1]}" if entry else ""))
    if candidate is not None and candidate.rationale:
        lines += ["", f"**Change** (drafted by `{candidate.drafter}`): {candidate.rationale.strip()}"]
    if verdict is not None and verdict.benchmark is not None:
        b = verdict.benchmark
        lines += ["", f"{heading} Benchmark", "",
                  "| | time per replay of the captured calls |", "| --- | --- |",
                  f"| before | {_seconds(b.baseline_s)} |", f"| after | {_seconds(b.candidate_s)} |",
                  f"| speedup | **{b.speedup:.2f}x** (95% CI {b.ci95[0]:.2f}x to {b.ci95[1]:.2f}x; "
                  f"required ≥ {b.required:.2f}x) |",
                  f"| samples | {b.baseline_values} before, {b.candidate_values} after |",
                  f"| machine | {machine_line()} |"]
    if verdict is not None and verdict.tests is not None:
        t = verdict.tests
        lines += ["", f"{heading} Tests", "",
                  f"`{t.command}`: **{t.passed} passed**, {t.failed + t.errors} failed"
                  + (f", {t.skipped} skipped" if t.skipped else "")]
    if verdict is not None and verdict.equivalence is not None:
        e = verdict.equivalence
        lines += ["", f"{heading} Equivalence", "",
                  f"{e.inputs} real calls captured from the workload"
                  + (f" and {e.derived} edge cases derived from them (a list, string or dict argument cut "
                     "to one item or none)" if e.derived else "")
                  + f", replayed on both versions: **{e.mismatches} mismatches**"
                  + (f" ({e.uncapturable} calls could not be captured)" if e.uncapturable else "") + "."]
    if verdict is not None and verdict.stages:
        lines += ["", "<details><summary>Verification stages</summary>", ""]
        lines += [f"- {'✅' if s.ok else '❌'} {s.name}: {s.detail}" for s in verdict.stages]
        lines += ["", "</details>"]
    if result.precedents:
        lines += ["", f"{heading} Precedents", ""]
        lines += [_precedent_line(p.repo, p.sha, p.message, p.score, catalog_url) for p in result.precedents]
    if candidate is not None:
        lines += ["", f"{heading} Diff", "", _fence(candidate.patch, "diff")]
    lines += ["", f"{heading} Reproduce locally", "", _fence(reproduce(result, workload, base_branch, branch), "sh")]
    return lines


def reproduce(result: FunctionResult, workload: str, base_branch: str, branch: str) -> str:
    """The exact commands that re-run the verification on a clean checkout of the base."""
    file, qualname = result.hot.file, result.hot.qualname
    patch = f"eco-{_slug(qualname)}.patch"
    verify = ["eco", "verify", "--target", f"{file}::{qualname}", "--patch", patch]
    if workload:
        verify += ["--workload", workload]
    return "\n".join([
        f"git fetch origin {shlex.quote(base_branch)} {shlex.quote(branch)}",
        f"git checkout --detach origin/{shlex.quote(base_branch)}",
        f"git diff origin/{shlex.quote(base_branch)}...origin/{shlex.quote(branch)} -- {shlex.quote(file)} > {patch}",
        shlex.join(verify),
    ])


def pull_body(result: FunctionResult, workload: str, *, base_branch: str, branch: str,
              catalog_url: str | None = DEFAULT_CATALOG_URL) -> str:
    """The body of a PR for one verified change."""
    file, qualname, code_hash = result_key(result)
    speedup = _speedup(result)
    lines = [marker(file, qualname, code_hash), "",
             f"eco made `{qualname}` **{speedup:.2f}x faster** and verified it: the tests that cover it pass, "
             "replaying real calls gives equal results, and the speedup is statistically significant."
             if speedup else f"eco proposes a change to `{qualname}`.", ""]
    lines += _evidence(result, workload, catalog_url, base_branch, branch)
    lines += ["", "---", "Opened by eco. Close this PR to decline: eco will not propose this change again "
              "unless the function's code changes."]
    return "\n".join(lines) + "\n"


def campaign_body(results: Sequence[FunctionResult], workload: str, *, base_branch: str, branch: str,
                  catalog_url: str | None = DEFAULT_CATALOG_URL) -> str:
    """The body of one PR carrying every verified change of a run."""
    lines = [marker(*result_key(r)) for r in results]
    lines += ["", f"eco verified {len(results)} change(s) in this run; each one passed the tests that cover it, "
              "replayed real calls with equal results, and is significantly faster.", "",
              "| function | anti-pattern | share | speedup |", "| --- | --- | --- | --- |"]
    for r in results:
        speedup = _speedup(r)
        lines.append(f"| `{r.hot.file}::{r.hot.qualname}` | {_antipattern(r) or '-'} | {r.hot.share:.1%} | "
                     f"{f'{speedup:.2f}x' if speedup else '-'} |")
    for r in results:
        lines += ["", f"## `{r.hot.file}::{r.hot.qualname}`", ""]
        lines += _evidence(r, workload, catalog_url, base_branch, branch, heading="####")
    lines += ["", "---", "Opened by eco. Close this PR to decline: eco will not propose these changes again "
              "unless the functions' code changes."]
    return "\n".join(lines) + "\n"
