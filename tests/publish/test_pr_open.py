"""Opening pull requests: real PyGithub against the local GitHub stand-in, real git repos.

The changes published here are real: targets located in a real repository and candidates
written by eco's own recipe drafter. Their verdicts are records built by the test (the
publish stage's input; verification itself is tested in tests/verify, and the whole loop
down to the PRs in the slow test of tests/cli/test_nightly_cli.py), so these tests stay
fast and deterministic.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from github_standin import GitHubStandin, clone, iter_bodies

from eco.code import locate, with_findings
from eco.draft import detect, draft_recipes
from eco.pipeline import with_precedents
from eco.profile.records import HotFunction, Profile
from eco.publish.ledger import PullLedger
from eco.publish.pr_body import branch_name, pull_body, pull_title
from eco.publish.pulls import (
    GitHubError,
    PullRequestOptions,
    get_repository,
    github_client,
    open_pull_requests,
)
from eco.pysource import find_function, parse_functions
from eco.results import FunctionResult, SuggestResult
from eco.verify.records import Benchmark, Equivalence, StageResult, TestRun, Verdict
from tests.conftest import MakeRepo, commit_all, git

WORDS = '''\
"""Words."""


def content_words(text):
    kept = []
    for word in text.lower().split():
        if word not in ["a", "an", "and", "the", "of", "to"]:
            kept.append(word)
    return kept


def untouched(text):
    return text.upper()
'''
PAIRS = '''\
"""Pairs."""


def shared(first, second):
    out = []
    for item in first:
        if item in second:
            out.append(item)
    return out
'''
FAKE_TOKEN_ENV = "ghp_" + "f4ke" * 9


def make_result(root: Path, targets: list[tuple[str, str, float]], workload: str = "python workload.py"
                ) -> SuggestResult:
    """Verified results for ``(file, qualname, speedup)`` in ``root`` as the pipeline builds them."""
    results = []
    for file, qualname, speedup in targets:
        source = (root / file).read_text(encoding="utf-8")
        fn = find_function(parse_functions(source.encode()), qualname)
        assert fn is not None
        hot = HotFunction(file=file, qualname=qualname, line=fn.start_line, self_s=0.2, total_s=0.25, share=0.21,
                          calls=40)
        target = locate(hot, root)
        found = [f.id for f in detect(target.file_source, target.file) if f.qualname == qualname]
        target = with_findings(target, tuple(dict.fromkeys(found)), 0)
        candidate = draft_recipes(target)[0]
        verdict = Verdict(
            "verified", "",
            stages=(StageResult("tests", True, "2 passed"), StageResult("equivalence", True, "8 calls equal")),
            tests=TestRun("python -m pytest -q -p no:cacheprovider", passed=2, failed=0),
            equivalence=Equivalence(inputs=8, mismatches=0),
            benchmark=Benchmark(2e-3, 2e-3 / speedup, speedup, (speedup * 0.9, speedup * 1.1), True, 1.10, 4, 4))
        results.append(FunctionResult(hot=hot, status="verified", target=target, candidate=candidate,
                                      verdict=verdict, tried=1))
    profile = Profile(functions=tuple(r.hot for r in results), total_s=1.0, source=workload,
                      unattributed_share=0.0)
    return SuggestResult(root, workload, profile, tuple(with_precedents(results, root)))


@dataclass
class World:
    standin: GitHubStandin
    source: Path
    token: str
    ledger: PullLedger

    def repo(self, base_url: str | None = None):  # type: ignore[no-untyped-def]
        client = github_client(self.token, base_url or self.standin.api_url)
        return client, get_repository(client, "acme/widgets")

    def publish(self, result: SuggestResult, options: PullRequestOptions | None = None,
                ledger: PullLedger | None = None):  # type: ignore[no-untyped-def]
        client, repo = self.repo()
        try:
            return open_pull_requests(result, repo, options or PullRequestOptions(), ledger or self.ledger)
        finally:
            client.close()


@pytest.fixture
def world(github_standin: GitHubStandin, make_repo: MakeRepo, tmp_path: Path,
          monkeypatch: pytest.MonkeyPatch) -> World:
    monkeypatch.setenv("ECO_GITHUB_WRITE_INTERVAL", "0")
    monkeypatch.setenv("GITHUB_TOKEN", FAKE_TOKEN_ENV)
    monkeypatch.setenv("ECO_LLM_API_KEY", "sk-" + "s3cret" * 6)
    source = make_repo({"pkg/__init__.py": "", "pkg/words.py": WORDS, "pkg/pairs.py": PAIRS,
                        ".github/CODEOWNERS": "*.py @alice\n/pkg/ @bob @acme/perf @eco-bot\ndocs/ @writer\n"})
    github_standin.add_repo("acme", "widgets", source)
    token = github_standin.issue_token(login="eco-bot")
    return World(github_standin, source, token, PullLedger(tmp_path / "ledger.sqlite"))


BOTH = [("pkg/words.py", "content_words", 1.8), ("pkg/pairs.py", "shared", 2.5)]


def test_one_pr_per_change_with_the_evidence(world: World, tmp_path: Path) -> None:
    result = make_result(world.source, BOTH)
    main_before = git(world.standin.repos["acme/widgets"].path, "rev-parse", "main").strip()
    outcome = world.publish(result)
    assert [(p.file, p.qualname) for p in outcome.opened] == [("pkg/words.py", "content_words"),
                                                              ("pkg/pairs.py", "shared")]
    assert outcome.skipped == ()
    pulls = world.standin.pulls("acme", "widgets")
    assert len(pulls) == 2
    words_pr, pairs_pr = pulls
    assert pairs_pr.head == "eco/pkg.pairs-shared-append-loop-to-comprehension" and pairs_pr.number == 2
    assert words_pr.head == "eco/pkg.words-content_words-append-loop-to-comprehension"
    assert words_pr.title == "perf: content_words — append-loop-to-comprehension (1.8x)"
    assert words_pr.base == "main" and not words_pr.draft and words_pr.login == "eco-bot"
    assert words_pr.labels == ["eco", "performance"]
    # CODEOWNERS: the last matching rule (/pkg/) wins; the author cannot review its own PR.
    assert words_pr.reviewers == ["bob"] and words_pr.teams == ["perf"]
    # The branch really exists, holds the verified file, and sits on main's head.
    for pr, r in zip(pulls, result.results, strict=True):
        assert r.candidate is not None
        assert world.standin.file_at("acme", "widgets", pr.head, r.hot.file) == r.candidate.new_file_source
        parent = git(world.standin.repos["acme/widgets"].path, "rev-parse", f"{pr.head}^").strip()
        assert parent == main_before
        changed = git(world.standin.repos["acme/widgets"].path, "diff", "--name-only", f"main...{pr.head}").split()
        assert changed == [r.hot.file]
    assert git(world.standin.repos["acme/widgets"].path, "rev-parse", "main").strip() == main_before
    body = words_pr.body
    assert body.startswith("<!-- eco:pkg/words.py::content_words:")
    for expected in ("`pkg/words.py::content_words` (line 4) takes **21.0%** of the workload's time",
                     "(`append-loop-to-comprehension`)", "(`eco antipatterns show append-loop-to-comprehension`)",
                     "| speedup | **1.80x** (95% CI 1.62x to 1.98x; required ≥ 1.10x) |", "| before | 2 ms |",
                     "| machine | ", "`python -m pytest -q -p no:cacheprovider`: **2 passed**, 0 failed",
                     "8 real calls captured from the workload, replayed on both versions: **0 mismatches**",
                     "### Precedents", "```diff\n--- a/pkg/words.py",
                     "eco verify --target pkg/words.py::content_words --patch eco-content_words.patch "
                     "--workload 'python workload.py'"):
        assert expected in body, expected
    # The ledger has both, and no secret from the environment reached GitHub.
    assert [(e.number, e.qualname, e.state) for e in world.ledger.entries("acme/widgets")] == [
        (1, "content_words", "open"), (2, "shared", "open")]
    for body_text in iter_bodies(world.standin):
        assert FAKE_TOKEN_ENV not in body_text and "s3cret" not in body_text and world.token not in body_text
    # The reproduce commands are exact: run them on a fresh clone and get the verified patch back.
    checkout = tmp_path / "checkout"
    assert clone(world.standin.authenticated_git_url("acme", "widgets", world.token), checkout).returncode == 0
    commands = body.split("### Reproduce locally\n\n```sh\n", 1)[1].split("\n```", 1)[0].splitlines()
    assert commands[-1].startswith("eco verify ")
    for command in commands[:-1]:
        subprocess.run(command, shell=True, cwd=checkout, check=True, capture_output=True)
    patch = (checkout / "eco-content_words.patch").read_text()
    assert patch.endswith(result.results[0].candidate.patch.split("\n", 2)[2])  # type: ignore[union-attr]
    subprocess.run(["git", "apply", "--check", "eco-content_words.patch"], cwd=checkout, check=True)


def test_rerun_dedups_even_without_the_ledger_and_respects_a_human_close(world: World, tmp_path: Path) -> None:
    result = make_result(world.source, BOTH)
    assert len(world.publish(result).opened) == 2
    again = world.publish(result)
    assert again.opened == ()
    assert [why for _, why in again.skipped] == ["pull request #1 already proposes a change to this code",
                                                 "pull request #2 already proposes a change to this code"]
    # A fresh CI runner has no ledger: the markers on GitHub are enough.
    fresh_ledger = PullLedger(tmp_path / "fresh.sqlite")
    fresh = world.publish(result, ledger=fresh_ledger)
    assert fresh.opened == () and len(fresh.skipped) == 2
    # ...and the ledger learns them (a run killed between opening and recording a PR),
    # so a later close webhook has a row to update.
    assert sorted((e.number, e.branch, e.state) for e in fresh_ledger.entries("acme/widgets")) == [
        (1, "eco/pkg.words-content_words-append-loop-to-comprehension", "open"),
        (2, "eco/pkg.pairs-shared-append-loop-to-comprehension", "open"),
    ]
    assert fresh_ledger.record_closed("acme/widgets", 2, merged=True)
    # A human closes #1 without merging: not retried, with or without the ledger.
    world.standin.close_pull("acme", "widgets", 1, merged=False)
    assert world.ledger.record_closed("acme/widgets", 1, merged=False)
    for ledger in (world.ledger, PullLedger(tmp_path / "fresh2.sqlite")):
        outcome = world.publish(result, ledger=ledger)
        assert outcome.opened == ()
        assert "closed without merging" in dict(outcome.skipped)["pkg/words.py::content_words"]
    # The function changes upstream: eco may propose again (the old branch is reused).
    (world.source / "pkg" / "words.py").write_text(WORDS.replace('"of", "to"', '"of", "to", "in"'))
    commit_all(world.source, "more stop words")
    world.standin.push("acme", "widgets", world.source)
    changed = make_result(world.source, BOTH[:1])
    outcome = world.publish(changed)
    [opened] = outcome.opened
    assert opened.number == 3 and opened.branch == "eco/pkg.words-content_words-append-loop-to-comprehension"
    assert '"to", "in"' in (world.standin.file_at("acme", "widgets", opened.branch, "pkg/words.py") or "")
    assert len(world.standin.pulls("acme", "widgets")) == 3


def test_budgets_count_eco_prs_across_pages(world: World) -> None:
    result = make_result(world.source, BOTH)
    # min speedup
    outcome = world.publish(result, PullRequestOptions(min_speedup=2.0))
    assert [p.qualname for p in outcome.opened] == ["shared"]
    assert outcome.skipped == (("pkg/words.py::content_words", "speedup 1.80x is below the minimum 2.00x"),)
    world.standin.close_pull("acme", "widgets", 1)
    world.ledger.record_closed("acme/widgets", 1, merged=True)
    # Eight old eco PRs, then 31 of other people (so eco's are on page 2 of the open list).
    for i in range(8):
        world.standin.add_pull("acme", "widgets", f"eco/old-{i}", title=f"perf: old {i}")
    for i in range(31):
        world.standin.add_pull("acme", "widgets", f"feature-{i}", title=f"feature {i}")
    outcome = world.publish(result, PullRequestOptions(max_open=9))
    assert [p.qualname for p in outcome.opened] == ["content_words"]  # 8 open + 1 = 9
    requests = world.standin.api_requests("GET", "/repos/acme/widgets/pulls")
    assert any("page=2" in r.path for r in requests)
    outcome = world.publish(make_result(world.source, BOTH[:1]), PullRequestOptions(max_open=9))
    assert outcome.opened == ()


def test_max_prs_per_run_and_no_retry_of_merged(world: World) -> None:
    result = make_result(world.source, BOTH)
    outcome = world.publish(result, PullRequestOptions(max_prs=1))
    assert [p.qualname for p in outcome.opened] == ["content_words"]
    assert outcome.skipped == (("pkg/pairs.py::shared", "budget: at most 1 new pull request(s) per run (max-prs)"),)
    outcome = world.publish(result, PullRequestOptions(max_prs=0))
    assert outcome.opened == () and "max-prs" in outcome.skipped[-1][1]


def test_campaign_draft_and_custom_labels(world: World) -> None:
    result = make_result(world.source, BOTH)
    outcome = world.publish(result, PullRequestOptions(campaign=True, draft=True, labels=("speed",)))
    assert {p.number for p in outcome.opened} == {1}
    [pull] = world.standin.pulls("acme", "widgets")
    assert pull.draft and pull.labels == ["speed"] and pull.head.startswith("eco/campaign-")
    assert pull.title == "perf: 2 verified speedup(s) from eco (up to 2.5x)"
    assert "<!-- eco:pkg/words.py::content_words:" in pull.body and "<!-- eco:pkg/pairs.py::shared:" in pull.body
    for r in result.results:
        assert r.candidate is not None
        assert world.standin.file_at("acme", "widgets", pull.head, r.hot.file) == r.candidate.new_file_source
    # Both changes are now covered: a second run opens nothing.
    assert world.publish(result, PullRequestOptions(campaign=True)).opened == ()


def test_base_branch_moved_on(world: World) -> None:
    result = make_result(world.source, BOTH)
    # Someone appends to words.py upstream: the patch still applies on top of it.
    (world.source / "pkg" / "words.py").write_text(WORDS + "\n\ndef added():\n    return 1\n")
    # ...and rewrites shared() itself: that patch cannot apply any more.
    (world.source / "pkg" / "pairs.py").write_text(PAIRS.replace("out = []", "out = list()"))
    commit_all(world.source, "upstream work")
    world.standin.push("acme", "widgets", world.source)
    outcome = world.publish(result)
    [opened] = outcome.opened
    text = world.standin.file_at("acme", "widgets", opened.branch, "pkg/words.py") or ""
    assert "def added():" in text and "kept = [word for word in" in text
    assert "no longer applies" in dict(outcome.skipped)["pkg/pairs.py::shared"]


def test_secondary_rate_limit_is_retried(world: World) -> None:
    result = make_result(world.source, BOTH[:1])
    client, repo = world.repo()
    world.standin.rate_limit_next(2)
    outcome = open_pull_requests(result, repo, PullRequestOptions(), world.ledger)
    client.close()
    assert len(outcome.opened) == 1
    statuses = [r.status for r in world.standin.api_requests()]
    assert statuses.count(403) == 2
    first = statuses.index(403)
    assert statuses[first:first + 3] == [403, 403, 200]  # the same request, retried until it passed


def test_enterprise_base_url(world: World) -> None:
    result = make_result(world.source, BOTH[:1])
    client, repo = world.repo(world.standin.enterprise_api_url)
    outcome = open_pull_requests(result, repo, PullRequestOptions(), world.ledger)
    client.close()
    assert len(outcome.opened) == 1
    paths = [r.path for r in world.standin.api_requests()]
    assert paths and all(p.startswith("/api/v3/repos/acme/widgets") for p in paths)


def test_bad_token_and_unknown_repository_are_one_line_errors(world: World) -> None:
    client = github_client("ghp_not-a-token", world.standin.api_url)
    with pytest.raises(GitHubError, match=r"^acme/widgets: GitHub refused the token \(401 Bad credentials\); "
                                          r"check GITHUB_TOKEN$"):
        get_repository(client, "acme/widgets")
    client.close()
    client = github_client(world.token, world.standin.api_url)
    with pytest.raises(GitHubError, match="acme/nope: not found, or the token cannot see it"):
        get_repository(client, "acme/nope")
    with pytest.raises(GitHubError, match="not a repository name"):
        get_repository(client, "just-a-name")
    client.close()
    with pytest.raises(GitHubError, match="no GitHub token"):
        github_client("", world.standin.api_url)


def test_unverified_results_are_never_published(world: World) -> None:
    result = make_result(world.source, BOTH)
    rejected = replace(result, results=tuple(replace(r, status="rejected") for r in result.results))
    outcome = world.publish(rejected)
    assert outcome.opened == () and world.standin.pulls("acme", "widgets") == []
    assert world.standin.api_requests("POST") == []


def test_a_change_that_fixes_two_antipatterns_links_both(world: World) -> None:
    [r] = make_result(world.source, BOTH[:1]).results
    assert r.candidate is not None
    both = replace(r, candidate=replace(r.candidate,
                                        antipattern="append-loop-to-comprehension+membership-in-list-literal"))
    body = pull_body(both, "python workload.py", base_branch="main", branch=branch_name(both),
                     catalog_url="https://example.org/eco/antipatterns/{id}.toml")
    assert "[List built with append in a for loop](https://example.org/eco/antipatterns/append-loop" in body
    assert "/antipatterns/membership-in-list-literal.toml) (`membership-in-list-literal`)" in body
    # Without a catalog address, the body names the command that shows each entry.
    plain = pull_body(both, "python workload.py", base_branch="main", branch=branch_name(both))
    assert "https://" not in plain.split("### Precedents")[0]
    assert "(`eco antipatterns show membership-in-list-literal`) (`membership-in-list-literal`)" in plain
    assert "+membership" not in body
    assert pull_title(both) == ("perf: content_words — append-loop-to-comprehension + membership-in-list-literal"
                                " (1.8x)")
    assert branch_name(both) == "eco/pkg.words-content_words-append-loop-to-comprehension-membership-in-list-literal"
