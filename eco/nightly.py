"""`eco nightly`: the scheduled CI job, and its pull-request mode.

Nightly: run the pipeline on the repository, open PRs for what verified within the
budgets (`eco.publish.pulls`), write the result document and a summary for
``$GITHUB_STEP_SUMMARY``. PR mode (``--pr N`` or a ``pull_request`` event): run the
pipeline over the functions the PR touches and keep ONE comment on the PR (found by its
marker and edited in place on re-runs) saying what eco found.

GitHub settings come from the environment GitHub Actions sets: ``GITHUB_TOKEN`` (the
only place a token is read), ``GITHUB_REPOSITORY``, ``GITHUB_API_URL`` (Enterprise),
``GITHUB_EVENT_NAME`` and ``GITHUB_EVENT_PATH``. The token never reaches the code under
test: the pipeline's sandbox strips it with every other secret.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eco.errors import ConfigError
from eco.pipeline import SuggestOptions, suggest
from eco.publish.document import result_document
from eco.publish.ledger import PullLedger
from eco.publish.pr_body import branch_name, pull_title, result_key
from eco.publish.pulls import (
    GitHubError,
    PublishOutcome,
    PullRequestOptions,
    get_repository,
    github_client,
    open_pull_requests,
)
from eco.results import FunctionResult, SuggestResult

if TYPE_CHECKING:
    from github.Repository import Repository

__all__ = [
    "COMMENT_MARKER",
    "GitHubSettings",
    "NightlyOptions",
    "NightlyOutcome",
    "github_settings",
    "nightly_document",
    "run_nightly",
    "step_summary",
]

COMMENT_MARKER = "<!-- eco:pr-comment -->"
Progress = Callable[[str], None]


@dataclass(frozen=True)
class GitHubSettings:
    """Where to publish: repository, API and token (never printed; see `__repr__`)."""

    repo: str
    api_url: str | None
    token: str = field(repr=False)


@dataclass(frozen=True)
class NightlyOptions:
    suggest: SuggestOptions
    pulls: PullRequestOptions = field(default_factory=PullRequestOptions)
    #: None only for a dry run (which never talks to GitHub).
    github: GitHubSettings | None = None
    dry_run: bool = False
    #: PR mode: the pull request to comment on.
    pr_number: int | None = None
    #: PR mode: ``BASE..HEAD`` when known from the event; else asked from GitHub.
    pr_diff: str | None = None
    ledger: Path | None = None


@dataclass(frozen=True)
class NightlyOutcome:
    result: SuggestResult
    #: Nightly mode: what was opened and skipped (None in a dry run and in PR mode).
    published: PublishOutcome | None = None
    #: Dry run: ``(file::qualname, branch, title)`` of the PRs it would open.
    would_open: tuple[tuple[str, str, str], ...] = ()
    #: PR mode: the comment written, and whether it replaced an earlier one.
    comment_url: str | None = None
    comment_updated: bool = False
    #: PR mode: the comment's text (also when a dry run did not post it).
    comment_body: str | None = None
    mode: str = "nightly"


def github_settings(env: Mapping[str, str], repo: str | None, api_url: str | None) -> GitHubSettings:
    """The repository and token from flags and the environment; one-line errors when missing."""
    name = repo or env.get("GITHUB_REPOSITORY", "")
    if not name:
        raise ConfigError("no repository to open pull requests on: set GITHUB_REPOSITORY=owner/name "
                          "(eco nightly also takes --repo)")
    if name.count("/") != 1 or not all(name.split("/")):
        raise ConfigError(f"--repo {name}: expected owner/name")
    token = env.get("GITHUB_TOKEN", "")
    if not token:
        raise ConfigError("no GitHub token: set GITHUB_TOKEN (in Actions: env: GITHUB_TOKEN: "
                          "${{ secrets.GITHUB_TOKEN }})")
    return GitHubSettings(name, api_url or env.get("GITHUB_API_URL") or None, token)


def pr_from_event(env: Mapping[str, str]) -> tuple[int, str] | None:
    """``(number, BASE..HEAD)`` of the ``pull_request`` event Actions is running for, if any."""
    if env.get("GITHUB_EVENT_NAME") not in ("pull_request", "pull_request_target"):
        return None
    path = env.get("GITHUB_EVENT_PATH", "")
    try:
        event = json.loads(Path(path).read_text(encoding="utf-8"))
        pull = event["pull_request"]
        return int(pull["number"]), f"{pull['base']['sha']}..{pull['head']['sha']}"
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"{path or 'GITHUB_EVENT_PATH'}: not a pull_request event payload ({exc})") from exc


def _merge_base(root: Path, diff: str) -> str:
    """``BASE..HEAD`` with BASE moved to the merge base, so base-branch changes made after
    the PR branched are not taken for the PR's own."""
    base, _, head = diff.partition("..")
    done = subprocess.run(["git", "merge-base", base, head], cwd=root, capture_output=True, text=True)
    if done.returncode != 0:
        raise ConfigError(f"{root}: commits {base[:12]} and {head[:12]} of the pull request are not in this "
                          "checkout (check out with fetch-depth: 0)")
    return f"{done.stdout.strip()}..{head}"


def run_nightly(options: NightlyOptions, progress: Progress = lambda _m: None) -> NightlyOutcome:
    """Run the pipeline and publish: PRs (nightly), a comment (PR mode), or nothing (dry run)."""
    root = options.suggest.root.resolve()
    ledger = PullLedger(options.ledger or root / ".eco" / "pulls.sqlite")
    ledger.entries()  # an unreadable ledger stops the job before the (long) run, not after
    if options.pr_number is not None:
        return _pr_mode(options, root, progress)
    # Check the token and repository before the (long) run, so a bad token fails fast.
    client = repo = None
    if not options.dry_run:
        assert options.github is not None
        client = github_client(options.github.token, options.github.api_url)
        repo = get_repository(client, options.github.repo)
    try:
        result = suggest(options.suggest, progress)
        if options.dry_run:
            return NightlyOutcome(result, would_open=_would_open(result, options, ledger), mode="dry-run")
        assert repo is not None
        progress(f"opening pull requests on {repo.full_name}")
        published = open_pull_requests(result, repo, options.pulls, ledger)
        return NightlyOutcome(result, published=published)
    finally:
        if client is not None:
            client.close()


def _would_open(result: SuggestResult, options: NightlyOptions, ledger: PullLedger) -> tuple[tuple[str, str, str], ...]:
    """What a real run would open, judged locally (budgets and the ledger; GitHub is not asked)."""
    out: list[tuple[str, str, str]] = []
    repo = options.github.repo if options.github else ""
    for r in result.results:
        if r.status != "verified" or r.candidate is None or r.verdict is None:
            continue
        if (r.verdict.speedup or 0) < options.pulls.min_speedup:
            continue
        if repo and ledger.should_skip(repo, *result_key(r)) is not None:
            continue
        out.append((f"{r.hot.file}::{r.hot.qualname}", branch_name(r, options.pulls.branch_prefix), pull_title(r)))
    return tuple(out[: (1 if options.pulls.campaign else options.pulls.max_prs)])


def _pr_mode(options: NightlyOptions, root: Path, progress: Progress) -> NightlyOutcome:
    from dataclasses import replace

    from github import GithubException

    assert options.github is not None and options.pr_number is not None
    client = github_client(options.github.token, options.github.api_url)
    try:
        repo = get_repository(client, options.github.repo)
        diff = options.pr_diff
        try:
            pull = repo.get_pull(options.pr_number)
            if diff is None:
                diff = f"{pull.base.sha}..{pull.head.sha}"
        except GithubException as exc:
            raise GitHubError(f"{options.github.repo}#{options.pr_number}: no such pull request "
                              f"({exc.status})") from exc
        diff = _merge_base(root, diff)
        progress(f"pull request #{options.pr_number}: looking at the functions {diff} touches")
        result = suggest(replace(options.suggest, diff=diff), progress)
        body = pr_comment(result, options.pulls.min_speedup)
        if options.dry_run:
            return NightlyOutcome(result, comment_body=body, mode="pr-dry-run")
        url, updated = _upsert_comment(repo, options.pr_number, body)
        return NightlyOutcome(result, comment_url=url, comment_updated=updated, comment_body=body, mode="pr")
    finally:
        client.close()


def _upsert_comment(repo: Repository, number: int, body: str) -> tuple[str, bool]:
    """Edit eco's comment on the PR if there is one, else create it."""
    from github import GithubException

    try:
        issue = repo.get_issue(number)
        for comment in issue.get_comments():
            if COMMENT_MARKER in (comment.body or ""):
                comment.edit(body)
                return comment.html_url, True
        return issue.create_comment(body).html_url, False
    except GithubException as exc:
        raise GitHubError(f"{repo.full_name}#{number}: cannot comment ({exc.status} "
                          f"{exc.data.get('message', '') if isinstance(exc.data, dict) else exc.data})") from exc


def _row(r: FunctionResult) -> str:
    speedup = r.verdict.speedup if r.verdict and r.verdict.speedup else None
    antipattern = (r.candidate.antipattern if r.candidate else None) or (
        ", ".join(r.target.antipatterns) if r.target and r.target.antipatterns else "-")
    reason = " ".join(r.reason.split())[:160].replace("|", "\\|") or "-"
    return (f"| `{r.hot.file}::{r.hot.qualname}` | {r.status} | {antipattern} | "
            f"{f'{speedup:.2f}x' if speedup else '-'} | {r.hot.share:.1%} | {reason} |")


def _table(results: tuple[FunctionResult, ...]) -> list[str]:
    if not results:
        return ["No function to look at."]
    return ["| function | status | anti-pattern | speedup | share | why |",
            "| --- | --- | --- | --- | --- | --- |", *(_row(r) for r in results)]


def pr_comment(result: SuggestResult, min_speedup: float) -> str:
    """The one comment eco keeps on a pull request."""
    verified = [r for r in result.results if r.status == "verified" and r.candidate is not None
                and r.verdict is not None and (r.verdict.speedup or 0.0) >= min_speedup]
    lines = [COMMENT_MARKER, "### eco: performance check of the functions this PR changes", ""]
    if verified:
        lines.append(f"eco found {len(verified)} verified speedup(s) for code this PR touches. "
                     "Each patch passed the tests that cover it and replayed real calls with equal results.")
    else:
        lines.append("eco found nothing to speed up in the functions this PR changes.")
    lines += ["", *_table(result.results)]
    for r in verified:
        assert r.candidate is not None
        lines += ["", f"<details><summary>Patch for <code>{r.hot.qualname}</code></summary>", "",
                  "```diff", r.candidate.patch.rstrip(), "```", "", "</details>"]
    lines += ["", f"<sub>Workload: `{result.workload}`. Re-run on every push; this comment is updated "
              "in place.</sub>"]
    return "\n".join(lines) + "\n"


def nightly_document(outcome: NightlyOutcome) -> dict[str, Any]:
    """The result document (DESIGN.md) plus what was published."""
    document = result_document(outcome.result)
    document["mode"] = outcome.mode
    if outcome.published is not None:
        document["pull_requests"] = {
            "opened": [{"number": p.number, "url": p.url, "branch": p.branch, "file": p.file,
                        "qualname": p.qualname, "source_hash": p.source_hash} for p in outcome.published.opened],
            "skipped": [{"target": t, "reason": why} for t, why in outcome.published.skipped],
        }
    if outcome.mode == "dry-run":
        document["would_open"] = [{"target": t, "branch": b, "title": title} for t, b, title in outcome.would_open]
    if outcome.comment_body is not None:
        document["comment"] = {"url": outcome.comment_url, "updated": outcome.comment_updated,
                               "posted": outcome.comment_url is not None, "body": outcome.comment_body}
    return document


def step_summary(outcome: NightlyOutcome) -> str:
    """Markdown for ``$GITHUB_STEP_SUMMARY``."""
    results = outcome.result.results
    verified = sum(r.status == "verified" for r in results)
    lines = [f"## eco {outcome.mode}", "",
             f"{len(results)} hot function(s) examined, {verified} verified. Workload: `{outcome.result.workload}`.",
             "", *_table(results)]
    if outcome.published is not None:
        lines += ["", "### Pull requests", ""]
        lines += [f"- opened [#{p.number}]({p.url}) `{p.branch}` for `{p.file}::{p.qualname}`"
                  for p in outcome.published.opened] or ["- none opened"]
        lines += [f"- not opened for `{t}`: {why}" for t, why in outcome.published.skipped]
    if outcome.mode == "dry-run":
        lines += ["", "### Would open (dry run)", ""]
        lines += [f"- `{b}`: {title}" for _t, b, title in outcome.would_open] or ["- nothing"]
    if outcome.comment_url is not None:
        lines += ["", f"Comment {'updated' if outcome.comment_updated else 'posted'}: {outcome.comment_url}"]
    elif outcome.comment_body is not None:
        lines += ["", "### The comment (dry run: not posted)", "", outcome.comment_body]
    return "\n".join(lines) + "\n"


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and ``os.replace``."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def append_summary(path: str, text: str) -> None:
    """Append to the step summary file (Actions reads it after the step)."""
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(text)
