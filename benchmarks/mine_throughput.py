"""Mining throughput: eco mine vs PyDriller (and the raw readers eco chose between).

Builds one large labelled history (``git fast-import``; default 3000 commits over modules
of a few hundred lines) and does the same work with each tool: for every non-merge
commit, every modified Python file's source before and after, and the functions that
changed. PyDriller does it the documented way (``modified_files``: ``source_code_before``,
``source_code``, ``diff``, ``changed_methods``). eco does it end to end (classification,
static analysis, storage in SQLite) on one core and on a process pool. The raw-reader rows
(streamed ``git log --raw`` + ``git cat-file``, pygit2, GitPython) only read the same
files' bytes before and after, to show why eco reads history the way it does.

    python benchmarks/mine_throughput.py [--commits 3000] [--gitpython-commits 400]

Writes ``benchmarks/results/mine_throughput.json``. Needs the ``bench`` extra.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from eco.mine import MineOptions, Runner, mine
from eco.mine import analyze as analyze_module
from eco.mine.analyze import CommitAnalyzer
from eco.mine.gitread import BlobReader, list_commits, read_commits
from eco.mine.labelled import build_history

RESULTS = Path(__file__).resolve().parent / "results" / "mine_throughput.json"


def eco_raw(root: Path, shas: list[str]) -> int:
    """eco's extraction alone (no classification): streamed git log --raw + cat-file, each blob
    parsed once by tree-sitter, changed functions paired, trivial edits dropped."""
    found = 0
    with BlobReader(root, 10_000_000) as blobs:
        analyzer = CommitAnalyzer("bench", blobs, MineOptions())
        for commit in read_commits(root, shas):
            if commit.parents:
                extraction = analyzer.extract(commit, [], [])
                analyzer.drop_trivial(extraction, [])
                found += len(extraction.pairs)
    return found


def read_gitlog(root: Path, shas: list[str]) -> int:
    """Read only: every modified Python file's bytes before and after, streamed git log + cat-file."""
    total = 0
    with BlobReader(root, 10_000_000) as blobs:
        for commit in read_commits(root, shas):
            for ch in commit.changes:
                if commit.parents and ch.status in ("M", "R") and ch.new_path.endswith(".py"):
                    before, after = blobs.read(ch.old_blob), blobs.read(ch.new_blob)
                    assert isinstance(before, bytes) and isinstance(after, bytes)
                    total += len(before) + len(after)
    return total


def read_pygit2(root: Path, shas: list[str]) -> int:
    import pygit2

    repo = pygit2.Repository(str(root))
    total = 0
    for sha in shas:
        commit = repo[sha]
        if not commit.parents:
            continue
        diff = repo.diff(commit.parents[0].tree, commit.tree)
        diff.find_similar()
        for delta in diff.deltas:
            if delta.status_char() in ("M", "R") and delta.new_file.path.endswith(".py"):
                total += len(repo[delta.old_file.id].data) + len(repo[delta.new_file.id].data)
    return total


def read_gitpython(root: Path, shas: list[str]) -> int:
    import git

    repo = git.Repo(root)
    total = 0
    for sha in shas:
        commit = repo.commit(sha)
        if not commit.parents:
            continue
        # parent.diff(commit): commit.diff(parent) would give the reversed change.
        for d in commit.parents[0].diff(commit, M=True):
            if d.change_type in ("M", "R") and (d.b_path or "").endswith(".py"):
                total += len(d.a_blob.data_stream.read()) + len(d.b_blob.data_stream.read())
    repo.close()
    return total


def pydriller_same_work(root: Path, shas: list[str]) -> int:
    from pydriller import Repository

    wanted = set(shas)
    found = 0
    for commit in Repository(str(root), only_no_merge=True).traverse_commits():
        if commit.hash not in wanted:
            continue
        for mf in commit.modified_files:
            if mf.filename.endswith(".py") and mf.change_type.name in ("MODIFY", "RENAME"):
                _ = (mf.diff, mf.source_code_before, mf.source_code)
                found += len(mf.changed_methods)
    return found


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--commits", type=int, default=3000)
    parser.add_argument("--gitpython-commits", type=int, default=400)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="eco-mine-bench-") as tmp:
        root = Path(tmp) / "repo"
        t_build, history = timed(lambda: build_history(root, commits=args.commits, seed=args.seed, modules=10,
                                                       functions_per_module=30))
        shas, merges = list_commits(root, None, None)
        shas = shas[::-1]
        n = len(shas)
        lines = sum(len((root / p).read_text().splitlines()) for p in os.listdir(root / "pkg")
                    if p.endswith(".py") for p in [f"pkg/{p}"])
        print(f"history: {n} non-merge commits ({merges} merges), {lines} lines of Python at HEAD, "
              f"built in {t_build:.1f}s", file=sys.stderr)
        rows: dict[str, dict[str, float]] = {}

        def record(name: str, seconds: float, commits: int, extra: dict[str, float] | None = None) -> None:
            rows[name] = {"seconds": round(seconds, 3), "commits": commits,
                          "commits_per_s": round(commits / seconds, 1), **(extra or {})}
            print(f"{name:<44} {commits:>6} commits {seconds:8.2f}s {commits / seconds:9.1f} commits/s",
                  file=sys.stderr)

        # Each run starts cold: a forked pool would otherwise inherit the detector cache the
        # serial run filled.
        analyze_module._STATIC_CACHE.clear()
        db = Path(tmp) / "serial.sqlite"
        t, report = timed(lambda: mine([root], db, MineOptions(), Runner("serial")))
        record("eco mine, 1 process (end to end)", t, n, {"edits": report.edits})  # type: ignore[attr-defined]
        analyze_module._STATIC_CACHE.clear()
        db2 = Path(tmp) / "pool.sqlite"
        workers = os.cpu_count() or 1
        t, report2 = timed(lambda: mine([root], db2, MineOptions(), Runner("pool", workers=workers)))
        record(f"eco mine, process pool of {workers} (end to end)", t, n,
               {"edits": report2.edits})  # type: ignore[attr-defined]
        t, found = timed(lambda: eco_raw(root, shas))
        record("eco extraction only (same work as PyDriller)", t, n, {"functions": found})  # type: ignore[dict-item]
        t, size = timed(lambda: read_gitlog(root, shas))
        record("read only: git log --raw -z + cat-file --batch", t, n, {"bytes": size})  # type: ignore[dict-item]
        t, size = timed(lambda: read_pygit2(root, shas))
        record("read only: pygit2", t, n, {"bytes": size})  # type: ignore[dict-item]
        some = shas[: args.gitpython_commits]
        t, size = timed(lambda: read_gitpython(root, some))
        record("read only: GitPython", t, len(some), {"bytes": size})  # type: ignore[dict-item]
        t, found = timed(lambda: pydriller_same_work(root, shas))
        record("PyDriller (diff, sources, changed_methods)", t, n, {"functions": found})  # type: ignore[dict-item]
        pyd = rows["PyDriller (diff, sources, changed_methods)"]["commits_per_s"]
        ratio_1 = rows["eco mine, 1 process (end to end)"]["commits_per_s"] / pyd
        ratio_n = rows[f"eco mine, process pool of {workers} (end to end)"]["commits_per_s"] / pyd
        ratio_x = rows["eco extraction only (same work as PyDriller)"]["commits_per_s"] / pyd
        print(f"eco vs PyDriller: extraction {ratio_x:.1f}x; eco mine end to end {ratio_1:.1f}x on one process, "
              f"{ratio_n:.1f}x on {workers}", file=sys.stderr)
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps({
            "benchmark": "mine_throughput", "commits": n, "merges": merges, "seed": args.seed,
            "python_lines_at_head": lines, "cpus": workers, "python": platform.python_version(),
            "labelled_commits": len(history.commits),  # type: ignore[attr-defined]
            "rows": rows, "eco_extraction_vs_pydriller": round(ratio_x, 2),
            "eco_mine_vs_pydriller_1_process": round(ratio_1, 2),
            f"eco_mine_vs_pydriller_{workers}_processes": round(ratio_n, 2),
        }, indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
