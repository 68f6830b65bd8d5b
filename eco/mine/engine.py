"""Mining many commits of many repositories: batches, workers, one database.

The calling process lists what to mine, cuts it into batches (`Batch`), and stores each
`BatchResult` as it arrives in one transaction. Batches run in this process, in a process
pool across cores, or on a Dask cluster (``--cluster ADDRESS``, or a `LocalCluster` of
``--workers N``): `mine_batch` is a plain module-level function of pickleable records,
so the same code runs everywhere. Dask workers must see the repositories at the same
paths (a shared filesystem); only records travel back.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from eco.errors import EcoError
from eco.mine.analyze import Analysis, CommitAnalyzer
from eco.mine.errors import MineError
from eco.mine.gitread import (
    BlobReader,
    RepoInfo,
    effectively_reverted,
    grafted,
    list_commits,
    open_repo,
    read_commits,
    revert_targets,
)
from eco.mine.records import CommitOutcome, MinedEdit, MineOptions, MineReport, Problem
from eco.mine.store import EditsDB

__all__ = ["Batch", "BatchResult", "Runner", "iter_edits", "mine", "mine_batch"]


@dataclass(frozen=True)
class Batch:
    """Commits of one repository for one worker."""

    repo: str
    root: str
    shas: tuple[str, ...]
    options: MineOptions


@dataclass(frozen=True)
class BatchResult:
    repo: str
    root: str
    outcomes: tuple[CommitOutcome, ...]
    edits: tuple[MinedEdit, ...]
    problems: tuple[Problem, ...]
    seconds: float


def _analyses(batch: Batch) -> Iterator[tuple[Analysis | None, str, Problem | None]]:
    root = Path(batch.root)
    with BlobReader(root, batch.options.max_file_bytes) as blobs:
        analyzer = CommitAnalyzer(batch.repo, blobs, batch.options)
        done: set[str] = set()
        try:
            for commit in read_commits(root, batch.shas):
                done.add(commit.sha)
                yield analyzer.analyze(commit), commit.sha, None
        except MineError:
            # A corrupt commit or tree stopped the stream: read the rest one by one.
            for sha in batch.shas:
                if sha in done:
                    continue
                try:
                    for commit in read_commits(root, [sha]):
                        yield analyzer.analyze(commit), sha, None
                except MineError as exc:
                    yield None, sha, Problem(batch.repo, sha, "", f"commit cannot be read ({exc.message}); skipped")


def mine_batch(batch: Batch) -> BatchResult:
    """Mine one batch: what runs inside a worker. Never raises for one bad commit or file."""
    start = time.perf_counter()
    outcomes: list[CommitOutcome] = []
    edits: list[MinedEdit] = []
    problems: list[Problem] = []
    for analysis, sha, problem in _analyses(batch):
        if analysis is None:
            outcomes.append(CommitOutcome(sha, "unreadable", 0.0, 0))
            if problem is not None:
                problems.append(problem)
            continue
        outcomes.append(analysis.outcome)
        edits += analysis.edits
        problems += analysis.problems
    return BatchResult(batch.repo, batch.root, tuple(outcomes), tuple(edits), tuple(problems),
                       time.perf_counter() - start)


def iter_edits(repo: Path, options: MineOptions | None = None) -> Iterator[MinedEdit]:
    """Stream the performance edits of a repository's history, newest commit first, without a
    database (reverted commits, reverts and merges excluded; no cherry-pick de-duplication)."""
    options = options or MineOptions()
    info = open_repo(repo)
    reverts = revert_targets(info.root)
    skip = effectively_reverted(reverts) | set(reverts) | grafted(info.root)
    shas, _ = list_commits(info.root, options.rev, options.since)
    shas = [s for s in shas if s not in skip][: options.max_commits]
    for analysis, _sha, _problem in _analyses(Batch(info.name, str(info.root), tuple(shas), options)):
        if analysis is not None:
            yield from analysis.edits


# --- runners ---------------------------------------------------------------------------------


@dataclass
class Runner:
    """Where batches run: ``serial`` (this process), ``pool`` (processes) or ``dask``."""

    kind: str = "pool"
    workers: int | None = None
    address: str | None = None
    #: Filled in for the report: "local process pool of 2", "Dask LocalCluster of 2"...
    description: str = field(default="", init=False)

    def run(self, batches: Sequence[Batch]) -> Iterator[BatchResult]:
        if not batches:
            return iter(())
        if self.kind == "dask":
            return self._dask(batches)
        workers = self.workers or os.cpu_count() or 1
        if self.kind == "serial" or workers <= 1 or len(batches) == 1:
            self.description = "this process"
            return (mine_batch(b) for b in batches)
        return self._pool(batches, min(workers, len(batches)))

    def _pool(self, batches: Sequence[Batch], workers: int) -> Iterator[BatchResult]:
        self.description = f"a process pool of {workers}"
        with ProcessPoolExecutor(max_workers=workers) as pool:
            # Keep a bounded number of batches in flight: results stream back as they finish.
            queue = list(batches)[::-1]
            running: set[Future[BatchResult]] = set()
            try:
                while queue or running:
                    while queue and len(running) < workers * 2:
                        running.add(pool.submit(mine_batch, queue.pop()))
                    finished, running = wait(running, return_when=FIRST_COMPLETED)
                    for future in finished:
                        yield future.result()
            finally:
                for future in running:
                    future.cancel()

    def _dask(self, batches: Sequence[Batch]) -> Iterator[BatchResult]:
        try:
            from dask.distributed import Client, LocalCluster, as_completed
        except ImportError as exc:
            raise MineError("--cluster and --workers need Dask: pip install 'eco[dist]'") from exc
        cluster = None
        try:
            if self.address:
                try:
                    client = Client(self.address, timeout="10s")  # type: ignore[no-untyped-call]
                except (OSError, TimeoutError) as exc:
                    raise MineError(f"cannot reach the Dask scheduler at {self.address}: {exc}") from exc
                self.description = f"the Dask cluster at {self.address}"
            else:
                workers = self.workers or os.cpu_count() or 1
                cluster = LocalCluster(  # type: ignore[no-untyped-call]
                    n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                    dashboard_address=":0")
                client = Client(cluster)  # type: ignore[no-untyped-call]
                self.description = f"a Dask LocalCluster of {workers} worker(s)"
            try:
                futures = client.map(mine_batch, list(batches), pure=False)
                for future in as_completed(futures):  # type: ignore[no-untyped-call]
                    yield future.result()
            finally:
                client.close()  # type: ignore[no-untyped-call]
        finally:
            if cluster is not None:
                cluster.close()


# --- the whole run ----------------------------------------------------------------------------


def _batches(info: RepoInfo, shas: list[str], options: MineOptions) -> list[Batch]:
    # Oldest first inside a batch, so a file's "after" blob is the next commit's "before".
    shas = shas[::-1]
    size = max(1, options.batch_size)
    return [Batch(info.name, str(info.root), tuple(shas[i : i + size]), options)
            for i in range(0, len(shas), size)]


def mine(
    repos: Sequence[Path],
    db_path: Path,
    options: MineOptions | None = None,
    runner: Runner | None = None,
    progress: Callable[[str], None] | None = None,
    on_edit: Callable[[MinedEdit], None] | None = None,
    on_problem: Callable[[Problem], None] | None = None,
    after_batch: Callable[[int], None] | None = None,
) -> MineReport:
    """Mine ``repos`` into the edits database at ``db_path``; returns the run's totals.

    A repository that cannot be opened is reported through ``on_problem`` (and in the
    report) and the others are mined; `EcoError`s about the database or the runner stop
    the run. ``after_batch(n)`` is called after the n-th batch is stored (tests use it to
    interrupt a run).
    """
    options = options or MineOptions()
    runner = runner or Runner()
    say = progress or (lambda _msg: None)
    report = MineReport()
    start = time.perf_counter()

    def problem(p: Problem) -> None:
        report.problems.append(p)
        if on_problem is not None:
            on_problem(p)

    with EditsDB(db_path) as db:
        plans: list[tuple[RepoInfo, list[Batch]]] = []
        for path in repos:
            try:
                info = open_repo(path)
            except EcoError as exc:
                problem(Problem(str(path), "", "", exc.message.removeprefix(f"{path}: ")))
                continue
            report.repos.append(info.name)
            if info.shallow:
                problem(Problem(info.name, "", "", info.shallow))
            shas, merges = list_commits(info.root, options.rev, options.since)
            reverts = revert_targets(info.root)
            undone = effectively_reverted(reverts)
            boundary = grafted(info.root)
            status = db.commit_status(info.name)
            # A commit excluded as reverted whose revert was itself reverted is mined again.
            known = {sha for sha, (st, _, _) in status.items() if st != "reverted" or sha in undone}
            newly_undone = sorted(sha for sha in undone if status.get(sha, ("",))[0] != "reverted")
            deleted = db.exclude(info.name, str(info.root), newly_undone, "reverted")
            if deleted:
                say(f"{info.name}: {deleted} stored edit(s) deleted: their commits were reverted since")
            db.exclude(info.name, str(info.root), sorted(set(reverts) - undone - known), "revert")
            db.exclude(info.name, str(info.root), sorted(boundary - known), "grafted")
            known = {sha for sha in known if sha not in undone}
            excluded = undone | set(reverts) | boundary
            report.excluded["merge"] = report.excluded.get("merge", 0) + merges
            for label, group in (("reverted", undone), ("revert", set(reverts) - undone), ("grafted", boundary)):
                n = sum(1 for s in shas if s in group)
                if n:
                    report.excluded[label] = report.excluded.get(label, 0) + n
            todo = [s for s in shas if s not in known and s not in excluded]
            report.skipped_known += sum(1 for s in shas if s in known)
            if options.max_commits is not None:
                todo = todo[: options.max_commits]
            plans.append((info, _batches(info, todo, options)))
            say(f"{info.name}: {len(todo)} commit(s) to mine, {len(shas) - len(todo)} known or excluded, "
                f"{merges} merge(s) skipped")
        batches = [b for _, bs in plans for b in bs]
        total = sum(len(b.shas) for b in batches)
        done = 0
        for stored_batches, result in enumerate(runner.run(batches), start=1):
            new = db.store_batch(result.repo, result.root, result.outcomes, result.edits, result.problems)
            done += len(result.outcomes)
            report.commits += len(result.outcomes)
            report.edits += len(new)
            report.duplicates += len(result.edits) - len(new)
            for p in result.problems:
                problem(p)
            if on_edit is not None:
                for edit in new:
                    on_edit(edit)
            elapsed = time.perf_counter() - start
            say(f"{done}/{total} commits, {report.edits} edit(s) stored "
                f"({done / elapsed:.0f} commits/s on {runner.description})")
            if after_batch is not None:
                after_batch(stored_batches)
        for info, _ in plans:
            db.set_head(info.name, str(info.root), info.head)
    report.seconds = time.perf_counter() - start
    return report

