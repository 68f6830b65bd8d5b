"""Open pull requests for verified changes, through GitHub's REST API (PyGithub).

One branch and PR per verified change (or one PR for the whole run with ``campaign``),
created with the git data API against the base branch's head: blob → tree (on the base
tree) → commit → ref → pull request, then labels and reviewers from CODEOWNERS. Nothing
is pushed from the local checkout, so the App and CI runners need no write access to git.

Spam guards, all checked before anything is written:
- a minimum speedup, a budget of new PRs per run and of eco PRs open at once (counted
  on GitHub: open PRs whose branch starts with the prefix or whose body has eco's marker);
- never a second PR for the same function and code: the ledger (`eco.publish.ledger`)
  and GitHub itself (the hidden marker in open and closed eco PRs);
- never a retry of a change a human closed, unless the function's code changed.

A token or repository GitHub refuses is a `GitHubError` (one line, exit 2); a refusal
for one PR (422) skips that change with GitHub's message and goes on.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from eco import __version__
from eco.errors import EcoError
from eco.publish.codeowners import CODEOWNERS_PATHS, CodeOwners, Owners
from eco.publish.ledger import PullLedger
from eco.publish.pr_body import (
    DEFAULT_CATALOG_URL,
    branch_name,
    campaign_body,
    parse_markers,
    pull_body,
    pull_title,
    result_key,
)
from eco.results import FunctionResult, SuggestResult

if TYPE_CHECKING:
    import github
    from github.PullRequest import PullRequest
    from github.Repository import Repository

__all__ = [
    "GitHubError",
    "OpenedPullRequest",
    "PublishOutcome",
    "PullRequestOptions",
    "get_repository",
    "github_client",
    "open_pull_requests",
]

DEFAULT_API_URL = "https://api.github.com"


class GitHubError(EcoError):
    """Raised when GitHub refuses the token or the repository, or cannot be reached."""


@dataclass(frozen=True)
class PullRequestOptions:
    """Budgets and the shape of the PRs eco opens."""

    #: New PRs per run.
    max_prs: int = 3
    #: eco PRs open at once (counted on GitHub by branch prefix or marker).
    max_open: int = 10
    min_speedup: float = 1.10
    draft: bool = False
    labels: tuple[str, ...] = ("eco", "performance")
    #: One PR for all verified changes of a run.
    campaign: bool = False
    #: Default: the repository's default branch.
    base_branch: str | None = None
    branch_prefix: str = "eco/"
    #: Link to a catalog entry (``{id}`` is the anti-pattern id); None names the
    #: `eco antipatterns show` command instead.
    catalog_url: str | None = DEFAULT_CATALOG_URL
    #: Request reviews from CODEOWNERS.
    reviewers: bool = True


@dataclass(frozen=True)
class OpenedPullRequest:
    number: int
    url: str
    branch: str
    file: str
    qualname: str
    source_hash: str


@dataclass(frozen=True)
class PublishOutcome:
    opened: tuple[OpenedPullRequest, ...]
    #: ``("file::qualname", why)`` for every verified change not opened, and every warning.
    skipped: tuple[tuple[str, str], ...]


def github_client(token: str, base_url: str | None = None) -> github.Github:
    """A PyGithub client for ``token`` against ``base_url`` (default ``GITHUB_API_URL``,
    else api.github.com; GitHub Enterprise Server is ``https://HOST/api/v3``).

    PyGithub's retry handles GitHub's secondary rate limits (403 with ``retry-after``).
    GitHub asks integrators to pause between writes: ``ECO_GITHUB_WRITE_INTERVAL``
    (seconds, default 1) sets the pause; a test stand-in sets 0.
    """
    try:
        from github import Auth, Github, GithubRetry
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise GitHubError("opening pull requests needs PyGithub: pip install 'eco[github]'") from exc
    if not token:
        raise GitHubError("no GitHub token: set GITHUB_TOKEN")
    url = (base_url or os.environ.get("GITHUB_API_URL") or DEFAULT_API_URL).rstrip("/")
    try:
        interval = float(os.environ.get("ECO_GITHUB_WRITE_INTERVAL", "1"))
    except ValueError:
        raise GitHubError(f"ECO_GITHUB_WRITE_INTERVAL: not a number of seconds: "
                          f"{os.environ['ECO_GITHUB_WRITE_INTERVAL']!r}") from None
    return Github(base_url=url, auth=Auth.Token(token), user_agent=f"eco/{__version__}", timeout=30,
                  retry=GithubRetry(total=6, secondary_rate_wait=60), seconds_between_writes=max(0.0, interval),
                  seconds_between_requests=max(0.0, interval) / 4)


def get_repository(client: github.Github, full_name: str) -> Repository:
    """``owner/name`` through ``client``, with GitHub's refusals as one-line `GitHubError`s."""
    if full_name.count("/") != 1 or not all(full_name.split("/")):
        raise GitHubError(f"{full_name}: not a repository name (expected owner/name)")
    try:
        return client.get_repo(full_name)
    except Exception as exc:
        raise _fatal(exc, full_name) from exc


def _fatal(exc: Exception, what: str) -> GitHubError:
    from github import GithubException

    if isinstance(exc, GithubException):
        message = _message(exc)
        if exc.status == 401:
            return GitHubError(f"{what}: GitHub refused the token (401 {message}); check GITHUB_TOKEN")
        if exc.status == 404:
            return GitHubError(f"{what}: not found, or the token cannot see it (404)")
        return GitHubError(f"{what}: GitHub answered {exc.status} {message}")
    return GitHubError(f"{what}: cannot reach GitHub ({type(exc).__name__}: {exc})")


def _message(exc: Exception) -> str:
    data = getattr(exc, "data", None)
    if isinstance(data, dict):
        text = str(data.get("message", ""))
        details = [str(e.get("message") or f"{e.get('field')} {e.get('code')}")
                   for e in data.get("errors", []) if isinstance(e, dict)]
        return "; ".join([text, *details]) if details else text
    return str(exc)


def _label(result: FunctionResult) -> str:
    return f"{result.hot.file}::{result.hot.qualname}"


@dataclass
class _GitHubState:
    """What GitHub says about eco's PRs in this repository."""

    open_count: int
    #: (file, qualname) → open PR number.
    open_functions: dict[tuple[str, str], int]
    #: (file, qualname, hash) of every open eco PR → (its branch, its address).
    open_keys: dict[tuple[str, str, str], tuple[str, str]]


def _scan_open(repo: Repository, prefix: str) -> _GitHubState:
    state = _GitHubState(0, {}, {})
    for pull in repo.get_pulls(state="open"):
        markers = parse_markers(pull.body)
        if not pull.head.ref.startswith(prefix) and not markers:
            continue
        state.open_count += 1
        for file, qualname, code_hash in markers:
            state.open_functions[(file, qualname)] = pull.number
            state.open_keys[(file, qualname, code_hash)] = (pull.head.ref, pull.html_url)
    return state


def _backfill(ledger: PullLedger, repo: str, number: int, where: tuple[str, str], r: FunctionResult) -> None:
    """Record an open eco PR that GitHub knows and the ledger does not: a run killed
    between opening it and recording it (the App re-runs such jobs) must still have the
    row that a later ``pull_request`` closed webhook updates."""
    if r.candidate is None or any(e.number == number for e in ledger.entries(repo)):
        return
    file, qualname, code_hash = result_key(r)
    ledger.record_opened(repo, number, where[0], file, qualname, code_hash, r.candidate.patch, url=where[1],
                         antipattern=r.candidate.antipattern, speedup=r.verdict.speedup if r.verdict else None)


def _closed_on_github(repo: Repository, branch: str, key: tuple[str, str, str]) -> PullRequest | None:
    """A closed PR from ``branch`` (or whose marker names ``key``) for the same code."""
    owner = repo.owner.login
    for pull in repo.get_pulls(state="closed", head=f"{owner}:{branch}"):
        if key in parse_markers(pull.body):
            return pull
    return None


def open_pull_requests(result: SuggestResult, repo: Repository, options: PullRequestOptions,
                       ledger: PullLedger) -> PublishOutcome:
    """Open PRs on ``repo`` for the verified changes of ``result`` within the budgets.

    Raises:
        GitHubError: the token or repository is refused (401/403/404) or GitHub cannot
            be reached; changes already opened are in the ledger and on GitHub.
    """
    from github import GithubException

    skipped: list[tuple[str, str]] = []
    full_name = repo.full_name
    verified = [r for r in result.results if r.status == "verified" and r.candidate is not None
                and r.target is not None]
    eligible: list[FunctionResult] = []
    try:
        state = _scan_open(repo, options.branch_prefix)
        for r in verified:
            speedup = r.verdict.speedup if r.verdict else None
            if speedup is None or speedup < options.min_speedup:
                skipped.append((_label(r), f"speedup {speedup or 0:.2f}x is below the minimum "
                                           f"{options.min_speedup:.2f}x"))
                continue
            file, qualname, code_hash = result_key(r)
            why = ledger.should_skip(full_name, file, qualname, code_hash)
            if why is None and (file, qualname, code_hash) in state.open_keys:
                number = state.open_functions[(file, qualname)]
                _backfill(ledger, full_name, number, state.open_keys[(file, qualname, code_hash)], r)
                why = f"pull request #{number} already proposes a change to this code"
            elif why is None and (file, qualname) in state.open_functions:
                why = (f"pull request #{state.open_functions[(file, qualname)]} is still open for this function "
                       "(its code changed since); close or merge it first")
            if why is None and not options.campaign:
                closed = _closed_on_github(repo, branch_name(r, options.branch_prefix), (file, qualname, code_hash))
                if closed is not None:
                    why = (f"pull request #{closed.number} for this code was "
                           + ("merged" if closed.merged else "closed without merging; eco retries only after "
                              "the function changes"))
            if why is not None:
                skipped.append((_label(r), why))
                continue
            eligible.append(r)

        room = max(0, min(options.max_prs, options.max_open - state.open_count))
        if options.campaign and eligible:
            room = min(room, 1)
            if room == 0:
                skipped += [(_label(r), _budget_reason(options, state.open_count)) for r in eligible]
                return PublishOutcome((), tuple(skipped))
            opened, more = _open_campaign(repo, result, eligible, options, ledger)
            skipped += more
            return PublishOutcome(tuple(opened), tuple(skipped))
        opened_list: list[OpenedPullRequest] = []
        for r in eligible:
            if len(opened_list) >= room:
                skipped.append((_label(r), _budget_reason(options, state.open_count + len(opened_list))))
                continue
            try:
                opened_list.append(_open_one(repo, result, r, options, ledger, skipped))
            except GithubException as exc:
                if exc.status in (401, 403, 404):
                    raise
                skipped.append((_label(r), f"GitHub refused it ({exc.status} {_message(exc)})"))
            except _Unapplicable as exc:
                skipped.append((_label(r), str(exc)))
        return PublishOutcome(tuple(opened_list), tuple(skipped))
    except GithubException as exc:
        raise _fatal(exc, full_name) from exc
    except (OSError, ConnectionError) as exc:
        raise _fatal(exc, full_name) from exc


def _budget_reason(options: PullRequestOptions, open_now: int) -> str:
    if open_now >= options.max_open:
        return f"budget: {open_now} eco pull requests are open (max-open {options.max_open})"
    return f"budget: at most {options.max_prs} new pull request(s) per run (max-prs)"


class _Unapplicable(Exception):
    """The verified patch does not apply to the base branch as it is on GitHub."""


def _apply(text: str, patch: str, file: str) -> str:
    """``patch`` applied to ``text`` (the file's content) with ``git apply``."""
    with tempfile.TemporaryDirectory(prefix="eco-apply-") as tmp:
        target = Path(tmp) / file
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        env = {**os.environ, "GIT_CEILING_DIRECTORIES": str(Path(tmp).parent)}
        done = subprocess.run(["git", "apply", "--whitespace=nowarn", "-"], cwd=tmp, input=patch,
                              capture_output=True, text=True, env=env)
        if done.returncode != 0:
            first = (done.stderr.strip().splitlines() or ["git apply failed"])[0]
            raise _Unapplicable(f"the verified patch no longer applies to the base branch: {first}")
        return target.read_text(encoding="utf-8")


def _base_text(repo: Repository, file: str, sha: str) -> str:
    content = repo.get_contents(file, ref=sha)
    if isinstance(content, list):
        raise _Unapplicable(f"{file}: is a directory on the base branch")
    data = content.decoded_content if content.encoding != "none" else None
    if data is None:  # files over 1 MB come without content: read the blob
        import base64

        data = base64.b64decode(repo.get_git_blob(content.sha).content)
    return data.decode("utf-8")


def _new_files(repo: Repository, base_sha: str, results: Iterable[FunctionResult]) -> dict[str, str]:
    """The new text of every file the changes touch, on top of the base branch on GitHub."""
    texts: dict[str, str] = {}
    for r in results:
        assert r.candidate is not None and r.target is not None
        file = r.hot.file
        if file not in texts:
            texts[file] = _base_text(repo, file, base_sha)
            if texts[file] == r.target.file_source:
                texts[file] = r.candidate.new_file_source
                continue
        texts[file] = _apply(texts[file], r.candidate.patch, file)
    return texts


def _commit_branch(repo: Repository, base_sha: str, branch: str, files: dict[str, str], message: str) -> str:
    """Write ``files`` on top of ``base_sha`` as one commit and point ``branch`` at it."""
    from github import GithubException, InputGitTreeElement

    base = repo.get_git_commit(base_sha)
    elements = [InputGitTreeElement(path, "100644", "blob", sha=repo.create_git_blob(text, "utf-8").sha)
                for path, text in sorted(files.items())]
    tree = repo.create_git_tree(elements, base.tree)
    commit = repo.create_git_commit(message, tree, [base])
    try:
        repo.create_git_ref(f"refs/heads/{branch}", commit.sha)
    except GithubException as exc:
        if exc.status != 422 or "already exists" not in _message(exc):
            raise
        # A branch left by a closed PR of older code: eco owns its prefix, so reuse it.
        repo.get_git_ref(f"heads/{branch}").edit(commit.sha, force=True)
    return commit.sha


def _base(repo: Repository, options: PullRequestOptions) -> tuple[str, str]:
    base_branch = options.base_branch or repo.default_branch
    return base_branch, repo.get_git_ref(f"heads/{base_branch}").object.sha


def _finish(repo: Repository, pull: PullRequest, options: PullRequestOptions, files: list[str],
            skipped: list[tuple[str, str]], label: str) -> None:
    """Labels and CODEOWNERS review requests; a refusal here is a warning, not a failure."""
    from github import GithubException

    if options.labels:
        try:
            pull.add_to_labels(*options.labels)
        except GithubException as exc:
            skipped.append((label, f"warning: labels not added ({exc.status} {_message(exc)})"))
    if not options.reviewers:
        return
    owners = _reviewers(repo, pull.base.ref, files, exclude=(pull.user.login,))
    if owners:
        try:
            pull.create_review_request(reviewers=list(owners.users), team_reviewers=list(owners.teams))
        except GithubException as exc:
            skipped.append((label, f"warning: reviewers not requested ({exc.status} {_message(exc)})"))


def _reviewers(repo: Repository, ref: str, files: list[str], exclude: tuple[str, ...]) -> Owners:
    from github import GithubException

    for path in CODEOWNERS_PATHS:
        try:
            content = repo.get_contents(path, ref=ref)
        except GithubException as exc:
            if exc.status == 404:
                continue
            raise
        if isinstance(content, list):
            continue
        return CodeOwners(content.decoded_content.decode("utf-8", "replace")).reviewers(files, exclude)
    return Owners()


def _open_one(repo: Repository, result: SuggestResult, r: FunctionResult, options: PullRequestOptions,
              ledger: PullLedger, skipped: list[tuple[str, str]]) -> OpenedPullRequest:
    assert r.candidate is not None
    base_branch, base_sha = _base(repo, options)
    branch = branch_name(r, options.branch_prefix)
    files = _new_files(repo, base_sha, [r])
    title = pull_title(r)
    _commit_branch(repo, base_sha, branch, files, f"{title}\n\nVerified by eco {__version__}.")
    body = pull_body(r, result.workload, base_branch=base_branch, branch=branch, catalog_url=options.catalog_url)
    pull = repo.create_pull(base=base_branch, head=branch, title=title, body=body, draft=options.draft)
    file, qualname, code_hash = result_key(r)
    ledger.record_opened(repo.full_name, pull.number, branch, file, qualname, code_hash, r.candidate.patch,
                         url=pull.html_url, antipattern=r.candidate.antipattern,
                         speedup=r.verdict.speedup if r.verdict else None)
    _finish(repo, pull, options, list(files), skipped, _label(r))
    return OpenedPullRequest(pull.number, pull.html_url, branch, file, qualname, code_hash)


def _open_campaign(repo: Repository, result: SuggestResult, results: list[FunctionResult],
                   options: PullRequestOptions, ledger: PullLedger
                   ) -> tuple[list[OpenedPullRequest], list[tuple[str, str]]]:
    skipped: list[tuple[str, str]] = []
    base_branch, base_sha = _base(repo, options)
    applied: list[FunctionResult] = []
    files: dict[str, str] = {}
    for r in results:  # a change that does not apply on top of the others waits for a later run
        try:
            files = {**files, **_new_files_on(repo, base_sha, files, r)}
            applied.append(r)
        except _Unapplicable as exc:
            skipped.append((_label(r), str(exc)))
    if not applied:
        return [], skipped
    keys = sorted(result_key(r)[2] for r in applied)
    from eco.publish.ledger import source_hash

    branch = f"{options.branch_prefix}campaign-{source_hash(''.join(keys))[:10]}"
    speedups = [r.verdict.speedup for r in applied if r.verdict and r.verdict.speedup]
    title = f"perf: {len(applied)} verified speedup(s) from eco" + (
        f" (up to {max(speedups):.1f}x)" if speedups else "")
    _commit_branch(repo, base_sha, branch, files, f"{title}\n\nVerified by eco {__version__}.")
    body = campaign_body(applied, result.workload, base_branch=base_branch, branch=branch,
                         catalog_url=options.catalog_url)
    pull = repo.create_pull(base=base_branch, head=branch, title=title, body=body, draft=options.draft)
    opened = []
    for r in applied:
        assert r.candidate is not None
        file, qualname, code_hash = result_key(r)
        ledger.record_opened(repo.full_name, pull.number, branch, file, qualname, code_hash, r.candidate.patch,
                             url=pull.html_url, antipattern=r.candidate.antipattern,
                             speedup=r.verdict.speedup if r.verdict else None)
        opened.append(OpenedPullRequest(pull.number, pull.html_url, branch, file, qualname, code_hash))
    _finish(repo, pull, options, sorted(files), skipped, "campaign")
    return opened, skipped


def _new_files_on(repo: Repository, base_sha: str, done: dict[str, str], r: FunctionResult) -> dict[str, str]:
    """One more change on top of the campaign's files so far."""
    assert r.candidate is not None
    file = r.hot.file
    if file in done:
        return {file: _apply(done[file], r.candidate.patch, file)}
    return _new_files(repo, base_sha, [r])
