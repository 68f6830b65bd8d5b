"""Workers: claim a job, run it under a renewed lease, record how it ended.

A job's steps, each safe to repeat after a crash:

1. mint an installation token limited to the job's repository;
2. clone the repository over HTTPS into ``STATE/work/job-N`` (a leftover clone from an
   interrupted attempt is removed first). The token travels as an ``http.extraHeader``
   scoped to the clone URL, given to git through ``GIT_CONFIG_*`` environment variables:
   it is in no URL, no command line, no file (the clone's ``.git/config`` has only the
   plain URL) and no log;
3. a push job whose commit is no longer the head of the default branch stops here
   (superseded: a later push has its own delivery);
4. run the pipeline in the clone with the repository's own ``[tool.eco]`` (its sandbox
   gives the code under test a scrubbed environment; the server also removed the
   secrets from its own ``os.environ`` at start-up);
5. open pull requests as the App (`eco.publish.pulls.open_pull_requests`): the ledger and
   GitHub-side markers make a repeated run open nothing twice;
6. reply on the issue for ``/eco optimize`` (comments carry a per-job marker, so a
   repeated reply is found and not posted again).

How a job ends: ``done``; ``cancelled`` (``/eco stop``, uninstall); ``failed`` at once
for an `EcoError` (bad configuration, failing baseline tests, a function not found:
repeating cannot help); otherwise retried with doubling back-off up to ``max_attempts``.
"""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from eco.app.logs import JsonLog
from eco.app.queue import COMMENT, Job, JobQueue
from eco.app.settings import AppSettings
from eco.app.tokens import TokenCache, TokenError
from eco.errors import EcoError
from eco.publish.ledger import PullLedger

if TYPE_CHECKING:
    from github.Repository import Repository

    from eco.publish.pulls import PublishOutcome
    from eco.results import SuggestResult


class JobCancelled(Exception):
    """Raised inside a job when ``/eco stop`` or an uninstall asked it to stop."""


class CloneError(Exception):
    """git could not clone (retryable: the network or GitHub may recover)."""


@dataclass
class JobContext:
    """What a job runner gets besides the job."""

    settings: AppSettings
    tokens: TokenCache
    state: Path
    ledger: PullLedger
    log: JsonLog
    #: Raises `JobCancelled` once the job was asked to stop; the pipeline calls it between steps.
    checkpoint: Callable[[], None]


#: A job runner returns a one-line summary (kept as the job's reason).
Runner = Callable[[Job, JobContext], str]


def job_marker(job: Job) -> str:
    return f"<!-- eco:job {job.id} -->"


def git_auth_env(token: str, url: str) -> dict[str, str]:
    """Environment entries that make git send ``token`` to ``url`` (and nowhere else)."""
    basic = base64.b64encode(f"x-access-token:{token}".encode()).decode("ascii")
    prefix = url.split("://", 1)[0] + "://" + url.split("://", 1)[1].split("/", 1)[0] + "/"
    return {"GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": f"http.{prefix}.extraHeader",
            "GIT_CONFIG_VALUE_0": f"Authorization: Basic {basic}", "GIT_TERMINAL_PROMPT": "0"}


def clone(url: str, token: str, dest: Path, timeout: float = 600.0) -> str:
    """Clone ``url`` (default branch, one commit deep) into ``dest``; returns HEAD's sha."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, **git_auth_env(token, url), "GIT_CONFIG_NOSYSTEM": "1"}
    try:
        done = subprocess.run(["git", "clone", "--quiet", "--depth", "1", "--no-tags", url, str(dest)],
                              env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise CloneError(f"git clone of {url} timed out after {timeout:.0f} s") from None
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise CloneError(f"git clone of {url} failed: {last.replace(token, '[redacted]')}")
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=dest, capture_output=True, text=True, check=True)
    return head.stdout.strip()


def _github_repo(ctx: JobContext, job: Job) -> Repository:
    from eco.publish.pulls import get_repository, github_client

    token = ctx.tokens.token(job.spec.installation_id, job.spec.repo)
    return get_repository(github_client(token, ctx.settings.api_url), job.spec.repo)


def post_comment(repo: Repository, job: Job, number: int, body: str) -> bool:
    """Post ``body`` on issue/PR ``number`` unless this job already did; True when posted."""
    marker = job_marker(job)
    issue = repo.get_issue(number)
    if any(marker in (c.body or "") for c in issue.get_comments()):
        return False
    issue.create_comment(f"{body}\n\n{marker}")
    return True


def run_job(job: Job, ctx: JobContext) -> str:
    """The default runner: a comment, or a pipeline run that opens pull requests."""
    repo = _github_repo(ctx, job)
    if job.spec.kind == COMMENT:
        assert job.spec.issue_number is not None and job.spec.body is not None
        posted = post_comment(repo, job, job.spec.issue_number, job.spec.body)
        return f"comment on #{job.spec.issue_number}" + ("" if posted else " (already posted)")
    workdir = ctx.state / "work" / f"job-{job.id}"
    try:
        token = ctx.tokens.token(job.spec.installation_id, job.spec.repo)
        head = clone(repo.clone_url, token, workdir)
        ctx.log("cloned", job=job.id, repo=job.spec.repo, head=head)
        if job.spec.head_sha and head != job.spec.head_sha:
            return f"superseded: {repo.default_branch} is at {head[:12]}, the push announced {job.spec.head_sha[:12]}"
        ctx.checkpoint()
        try:
            result = _suggest(workdir, job, ctx)
        except EcoError as exc:
            if job.spec.issue_number is not None:  # the person who asked hears why
                post_comment(repo, job, job.spec.issue_number, f"eco could not run on `{job.spec.target}`: {exc}")
            raise
        ctx.checkpoint()
        outcome = _publish(result, job, ctx, workdir)
        summary = _summary(result, outcome)
        if job.spec.issue_number is not None:
            post_comment(_github_repo(ctx, job), job, job.spec.issue_number, _reply(job, result, outcome))
        return summary
    finally:
        if not ctx.settings.keep_workdirs:
            shutil.rmtree(workdir, ignore_errors=True)


def _suggest(root: Path, job: Job, ctx: JobContext) -> SuggestResult:
    from eco.config import load_config
    from eco.pipeline import SuggestOptions, suggest

    config = load_config(root)
    only: tuple[tuple[str, str], ...] = ()
    if job.spec.target:
        file, qualname = job.spec.target.split("::", 1)
        only = ((file, qualname),)

    def progress(message: str) -> None:
        ctx.checkpoint()
        ctx.log("progress", job=job.id, repo=job.spec.repo, message=message)

    return suggest(SuggestOptions(root=root, config=config, only=only), progress)


def _publish(result: SuggestResult, job: Job, ctx: JobContext, root: Path) -> PublishOutcome:
    from eco.config import load_config
    from eco.publish.pulls import PullRequestOptions, open_pull_requests

    config = load_config(root)
    repo = _github_repo(ctx, job)  # a fresh token if the run outlived the first one
    return open_pull_requests(result, repo, PullRequestOptions(min_speedup=config.min_speedup), ctx.ledger)


def _summary(result: SuggestResult, outcome: PublishOutcome) -> str:
    verified = sum(1 for r in result.results if r.status == "verified")
    opened = ", ".join(f"#{p.number}" for p in outcome.opened) or "none"
    why = [f"{r.hot.qualname}: {r.status} {r.reason[:120]}".strip() for r in result.results if r.status != "verified"]
    why += [f"{label}: not opened, {reason[:120]}" for label, reason in outcome.skipped]
    return (f"{len(result.results)} target(s), {verified} verified, pull requests opened: {opened}"
            + (f" ({'; '.join(why)})" if why else ""))


def _reply(job: Job, result: SuggestResult, outcome: PublishOutcome) -> str:
    lines = [f"eco ran on `{job.spec.target}`."]
    for r in result.results:
        speed = f", {r.verdict.speedup:.2f}x" if r.verdict and r.verdict.speedup else ""
        lines.append(f"- `{r.hot.file}::{r.hot.qualname}`: {r.status}{speed}" + (f" ({r.reason})" if r.reason else ""))
    for p in outcome.opened:
        lines.append(f"- opened {p.url}")
    for label, why in outcome.skipped:
        lines.append(f"- not opened for `{label}`: {why}")
    return "\n".join(lines)


class Workers:
    """``count`` threads draining the queue with ``runner``."""

    def __init__(self, queue: JobQueue, runner: Runner, settings: AppSettings, tokens: TokenCache,
                 state: Path, ledger: PullLedger, log: JsonLog, poll_s: float = 0.5) -> None:
        self.queue = queue
        self.runner = runner
        self.settings = settings
        self.tokens = tokens
        self.state = state
        self.ledger = ledger
        self.log = log
        self.poll_s = poll_s
        self.stopping = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        for n in range(self.settings.workers):
            thread = threading.Thread(target=self._loop, name=f"eco-worker-{n}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        """Claim nothing more. A job still running is left ``running``: its lease lapses
        and the next server start (or another worker) runs it again."""
        self.stopping.set()

    def _loop(self) -> None:
        while not self.stopping.is_set():
            try:
                job = self.queue.claim()
            except Exception as exc:  # a locked or broken queue file: say so, keep trying
                self.log("queue-error", error=f"{type(exc).__name__}: {exc}")
                self.stopping.wait(5)
                continue
            if job is None:
                self.stopping.wait(self.poll_s)
                continue
            self._run(job)

    def _run(self, job: Job) -> None:
        cancelled = threading.Event()
        done = threading.Event()

        def heartbeat() -> None:
            while not done.wait(max(0.2, self.settings.lease_s / 3)):
                try:
                    if not self.queue.renew(job.id):
                        cancelled.set()
                except Exception as exc:
                    self.log("queue-error", job=job.id, error=f"{type(exc).__name__}: {exc}")

        def checkpoint() -> None:
            if cancelled.is_set():
                raise JobCancelled("stopped on request")

        beat = threading.Thread(target=heartbeat, name=f"eco-lease-{job.id}", daemon=True)
        beat.start()
        started = time.monotonic()
        self.log("job-start", job=job.id, kind=job.spec.kind, installation=job.spec.installation_id,
                 repo=job.spec.repo, delivery=job.delivery, attempt=job.attempts, target=job.spec.target)
        ctx = JobContext(self.settings, self.tokens, self.state, self.ledger, self.log, checkpoint)
        try:
            summary = self.runner(job, ctx)
            state, reason = "done", summary
            self.queue.finish(job.id, "done", summary)
        except JobCancelled as exc:
            state, reason = "cancelled", str(exc)
            self.queue.finish(job.id, "cancelled", reason)
        except (TokenError, CloneError) as exc:
            reason = str(exc)
            state = self.queue.retry(job.id, reason)
        except EcoError as exc:
            retryable = type(exc).__name__ == "GitHubError" and "cannot reach" in str(exc)
            reason = str(exc)
            if retryable:
                state = self.queue.retry(job.id, reason)
            else:
                state = "failed"
                self.queue.finish(job.id, "failed", reason)
        except Exception as exc:
            reason = f"{type(exc).__name__}: {exc}"
            state = self.queue.retry(job.id, reason)
        finally:
            done.set()
        self.log("job-end", job=job.id, kind=job.spec.kind, installation=job.spec.installation_id,
                 repo=job.spec.repo, delivery=job.delivery, state=state, reason=reason,
                 duration_s=round(time.monotonic() - started, 3))


__all__ = ["CloneError", "JobCancelled", "JobContext", "Runner", "Workers", "clone", "git_auth_env", "run_job"]
