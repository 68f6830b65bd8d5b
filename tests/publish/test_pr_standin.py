"""The GitHub stand-in checks requests as GitHub does (so passing tests mean something)."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import github
import jwt
import pytest
from github import Auth, Github, GithubIntegration
from github_standin import GitHubStandin, clone

from tests.conftest import MakeRepo, git


def call(standin: GitHubStandin, method: str, path: str, body: Any = None,
         headers: dict[str, str] | None = None) -> tuple[int, Any, dict[str, str]]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(standin.api_url + path, data=data, method=method,
                                     headers={"User-Agent": "t", "Accept": "application/vnd.github+json",
                                              **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw else None, dict(response.headers)
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, json.loads(exc.read() or b"null"), dict(exc.headers)


@pytest.fixture
def seeded(github_standin: GitHubStandin, make_repo: MakeRepo) -> tuple[GitHubStandin, str]:
    src = make_repo({"pkg/mod.py": "def f():\n    return 1\n"})
    github_standin.add_repo("acme", "widgets", src)
    return github_standin, github_standin.issue_token()


def test_auth_is_required_and_checked(seeded: tuple[GitHubStandin, str]) -> None:
    standin, token = seeded
    status, body, _ = call(standin, "GET", "/repos/acme/widgets")
    assert status == 401 and body["message"] == "Requires authentication"
    status, body, _ = call(standin, "GET", "/repos/acme/widgets", headers={"Authorization": "token ghp_wrong"})
    assert status == 401 and body["message"] == "Bad credentials"
    status, body, _ = call(standin, "GET", "/repos/acme/widgets", headers={"Authorization": f"token {token}"})
    assert status == 200 and body["full_name"] == "acme/widgets" and body["default_branch"] == "main"
    status, _, _ = call(standin, "GET", "/repos/acme/nope", headers={"Authorization": f"token {token}"})
    assert status == 404
    # A token limited to other repositories does not see this one.
    other = standin.issue_token(repositories=["acme/other"])
    assert call(standin, "GET", "/repos/acme/widgets", headers={"Authorization": f"token {other}"})[0] == 404
    expired = standin.issue_token(expires_in=-1)
    assert call(standin, "GET", "/repos/acme/widgets", headers={"Authorization": f"token {expired}"})[0] == 401


def test_required_fields_and_shas_are_checked(seeded: tuple[GitHubStandin, str]) -> None:
    standin, token = seeded
    auth = {"Authorization": f"token {token}"}
    status, body, _ = call(standin, "POST", "/repos/acme/widgets/pulls", {"head": "x", "base": "main"}, auth)
    assert status == 422 and body["errors"][0] == {"resource": "PullRequest", "code": "missing_field",
                                                   "field": "title"}
    status, body, _ = call(standin, "POST", "/repos/acme/widgets/pulls",
                           {"head": "nope", "base": "main", "title": "t"}, auth)
    assert status == 422 and body["errors"][0]["field"] == "head"
    status, body, _ = call(standin, "POST", "/repos/acme/widgets/git/refs",
                           {"ref": "refs/heads/x", "sha": "0" * 40}, auth)
    assert status == 422 and body["message"] == "Object does not exist"
    status, body, _ = call(standin, "POST", "/repos/acme/widgets/git/commits", {"message": "m"}, auth)
    assert status == 422
    # A branch with no commits beyond the base cannot be a pull request.
    standin.add_pull("acme", "widgets", "same")  # creates `same` at main
    status, body, _ = call(standin, "POST", "/repos/acme/widgets/pulls",
                           {"head": "same", "base": "main", "title": "t"}, auth)
    assert status == 422 and "No commits between" in body["errors"][0]["message"]
    # No User-Agent: GitHub refuses.
    request = urllib.request.Request(standin.api_url + "/repos/acme/widgets", headers={"Authorization": f"token {token}"})
    request.remove_header("User-agent")
    opener = urllib.request.build_opener()
    opener.addheaders = []
    with pytest.raises(urllib.error.HTTPError) as info:
        opener.open(request, timeout=10)
    with info.value as refused:
        assert refused.code == 403


def test_git_data_api_writes_real_objects(seeded: tuple[GitHubStandin, str], tmp_path: Path) -> None:
    standin, token = seeded
    client = Github(base_url=standin.api_url, auth=Auth.Token(token), seconds_between_writes=0,
                    seconds_between_requests=0)
    repo = client.get_repo("acme/widgets")
    base = repo.get_git_commit(repo.get_git_ref("heads/main").object.sha)
    blob = repo.create_git_blob("def f():\n    return 2\n", "utf-8")
    tree = repo.create_git_tree([github.InputGitTreeElement("pkg/mod.py", "100644", "blob", sha=blob.sha)],
                                base.tree)
    commit = repo.create_git_commit("change f", tree, [base])
    repo.create_git_ref("refs/heads/feature", commit.sha)
    pull = repo.create_pull(base="main", head="feature", title="t", body="b")
    assert pull.number == 1 and pull.head.sha == commit.sha
    client.close()
    # The branch is real: clone it over smart HTTP with the token.
    done = clone(standin.authenticated_git_url("acme", "widgets", token), tmp_path / "clone")
    assert done.returncode == 0, done.stderr
    git(tmp_path / "clone", "checkout", "-q", "feature")
    assert (tmp_path / "clone" / "pkg" / "mod.py").read_text() == "def f():\n    return 2\n"
    assert git(tmp_path / "clone", "log", "-1", "--format=%s").strip() == "change f"
    # Pushing over smart HTTP works too, as the token's user.
    (tmp_path / "clone" / "pkg" / "new.py").write_text("X = 1\n")
    git(tmp_path / "clone", "add", "-A")
    git(tmp_path / "clone", "commit", "-q", "-m", "pushed")
    git(tmp_path / "clone", "push", "-q", "origin", "feature:refs/heads/pushed")
    assert standin.file_at("acme", "widgets", "pushed", "pkg/new.py") == "X = 1\n"
    # Without a valid token git is refused.
    refused = clone(standin.authenticated_git_url("acme", "widgets", "ghp_wrong"), tmp_path / "no")
    assert refused.returncode != 0 and not (tmp_path / "no" / "pkg").exists()
    # A second ref of the same name is refused as GitHub does.
    with Github(base_url=standin.api_url, auth=Auth.Token(token)) as again, \
            pytest.raises(github.GithubException) as info:
        again.get_repo("acme/widgets").create_git_ref("refs/heads/feature", commit.sha)
    assert info.value.status == 422


def test_pagination_and_secondary_rate_limit(seeded: tuple[GitHubStandin, str]) -> None:
    standin, token = seeded
    for i in range(45):
        standin.add_pull("acme", "widgets", f"b{i}", title=f"pr {i}")
    status, page, headers = call(standin, "GET", "/repos/acme/widgets/pulls?per_page=20",
                                 headers={"Authorization": f"token {token}"})
    assert status == 200 and len(page) == 20
    assert 'rel="next"' in headers["link"] and "page=3" in headers["link"]
    client = Github(base_url=standin.api_url, auth=Auth.Token(token), per_page=20, seconds_between_requests=0)
    repo = client.get_repo("acme/widgets")
    standin.rate_limit_next(1)
    numbers = [p.number for p in repo.get_pulls(state="open")]
    assert sorted(numbers) == list(range(1, 46))
    client.close()
    pulls = standin.api_requests("GET", "/repos/acme/widgets/pulls")
    statuses = [r.status for r in pulls[-4:]]
    assert statuses == [403, 200, 200, 200]  # retried after the 403, then pages 2 and 3


def test_app_jwt_is_verified(seeded: tuple[GitHubStandin, str], tmp_path: Path) -> None:
    standin, _ = seeded
    integration = GithubIntegration(base_url=standin.api_url, auth=Auth.AppAuth(standin.app_id,
                                                                               standin.app_private_key_pem))
    installation = integration.get_repo_installation("acme", "widgets")
    token = integration.get_access_token(installation.id).token
    assert [i.id for i in integration.get_installations()] == [installation.id]
    integration.close()
    status, listing, _ = call(standin, "GET", "/installation/repositories", headers={"Authorization": f"token {token}"})
    assert status == 200 and [r["full_name"] for r in listing["repositories"]] == ["acme/widgets"]
    user_token = standin.issue_token()
    assert call(standin, "GET", "/installation/repositories",
                headers={"Authorization": f"token {user_token}"})[0] == 403
    assert token.startswith("ghs_")
    done = clone(standin.authenticated_git_url("acme", "widgets", token), tmp_path / "clone")
    assert done.returncode == 0, done.stderr
    now = int(time.time())

    def bearer(claims: dict[str, Any], key: str = standin.app_private_key_pem) -> dict[str, str]:
        return {"Authorization": "Bearer " + jwt.encode(claims, key, algorithm="RS256")}

    good = {"iat": now - 60, "exp": now + 300, "iss": str(standin.app_id)}
    assert call(standin, "GET", "/app", headers=bearer(good))[0] == 200
    assert call(standin, "GET", "/app", headers=bearer({**good, "exp": now - 10}))[0] == 401
    assert call(standin, "GET", "/app", headers=bearer({**good, "exp": now + 900}))[0] == 401
    assert call(standin, "GET", "/app", headers=bearer({**good, "iss": "1"}))[0] == 401
    other_key = GitHubStandin(tmp_path / "other").app_private_key_pem
    assert call(standin, "GET", "/app", headers=bearer(good, other_key))[0] == 401
    assert call(standin, "GET", "/app", headers={"Authorization": f"token {token}"})[0] == 401


def test_issue_comments_and_reactions(seeded: tuple[GitHubStandin, str]) -> None:
    standin, token = seeded
    number = standin.add_pull("acme", "widgets", "topic", title="t")
    with Github(base_url=standin.api_url, auth=Auth.Token(token), seconds_between_writes=0) as client:
        issue = client.get_repo("acme/widgets").get_issue(number)
        comment = issue.create_comment("/eco optimize pkg/mod.py::f")
        comment.create_reaction("eyes")
        comment.edit("edited")
        assert [c.body for c in issue.get_comments()] == ["edited"]
        with pytest.raises(github.GithubException) as info:
            comment.create_reaction("thumbs")
        assert info.value.status == 422
        with pytest.raises(github.GithubException) as missing:
            issue.create_comment("")
        assert missing.value.status == 422
    assert standin.reactions == [(comment.id, "eyes", "eco-bot")]
    assert [c.body for c in standin.comments("acme", "widgets", number)] == ["edited"]
