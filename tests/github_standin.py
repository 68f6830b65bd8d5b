"""A local GitHub stand-in: GitHub's REST wire format on 127.0.0.1, backed by real git.

Not a test module: tests get it through the ``github_standin`` fixture (tests/conftest.py).
It speaks exactly the endpoints eco uses, checks requests the way GitHub does (auth
headers, required fields, 401/404/422 shapes, pagination with ``Link`` headers, secondary
rate limits with ``retry-after``) and keeps repositories as real bare git repositories:
the git data API writes real objects (``hash-object``, ``update-index``/``write-tree``,
``commit-tree``, ``update-ref``), and ``/git/<owner>/<repo>.git`` serves them over smart
HTTP through ``git http-backend`` behind HTTP basic auth ``x-access-token:<token>``, so a
branch a pull request was opened from can really be fetched, and a GitHub App can clone
with an installation token it minted with a real RS256 JWT.

Every request is recorded (method, path, headers, body, status) so tests can assert what
was sent, e.g. that no secret leaked into a body.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import os
import secrets
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

DOCS = "https://docs.github.com/rest"
SECONDARY_RATE_LIMIT_MESSAGE = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. "
    "If you reach out to GitHub Support for help, please include the request ID 0000:0000:0000000:0000000:00000000."
)
_GIT_ENV = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_TERMINAL_PROMPT": "0",
}
_MODES = {"100644", "100755", "040000", "160000", "120000"}


class ApiError(Exception):
    """An HTTP error answer in GitHub's shape."""

    def __init__(self, status: int, message: str, errors: list[dict[str, Any]] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.body: dict[str, Any] = {"message": message, "documentation_url": DOCS, "status": str(status)}
        if errors is not None:
            self.body["errors"] = errors
        self.headers = headers or {}


def _not_found() -> ApiError:
    return ApiError(404, "Not Found")


def _missing(resource: str, field_name: str) -> ApiError:
    return ApiError(422, "Validation Failed",
                    [{"resource": resource, "code": "missing_field", "field": field_name}])


def _invalid(resource: str, field_name: str, message: str | None = None) -> ApiError:
    error: dict[str, Any] = {"resource": resource, "code": "invalid", "field": field_name}
    if message:
        error["message"] = message
    return ApiError(422, "Validation Failed", [error])


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class RecordedRequest:
    """One request the stand-in received, as it arrived."""

    method: str
    #: Path with the query string, as sent (including any ``/api/v3`` prefix).
    path: str
    headers: dict[str, str]
    body: str
    status: int = 0

    @property
    def route(self) -> str:
        """The path without the query string and without an Enterprise ``/api/v3`` prefix."""
        path = self.path.split("?", 1)[0]
        return path[len("/api/v3"):] if path.startswith("/api/v3/") else path


@dataclass
class Token:
    value: str
    #: ``user`` (a personal or Actions token) or ``installation``.
    kind: str
    login: str
    installation_id: int | None = None
    #: Repository full names the token may reach (None: every repository).
    repositories: frozenset[str] | None = None
    expires_at: float | None = None


@dataclass
class Installation:
    id: int
    account: str
    #: Repository full names the App is installed on.
    repositories: list[str] = field(default_factory=list)


@dataclass
class Comment:
    id: int
    body: str
    login: str
    created_at: str
    updated_at: str


@dataclass
class Pull:
    number: int
    title: str
    body: str
    head: str
    base: str
    login: str
    draft: bool = False
    state: str = "open"
    merged: bool = False
    labels: list[str] = field(default_factory=list)
    reviewers: list[str] = field(default_factory=list)
    teams: list[str] = field(default_factory=list)
    created_at: str = field(default_factory=_now)
    updated_at: str = field(default_factory=_now)
    closed_at: str | None = None
    merged_at: str | None = None


@dataclass
class Repo:
    owner: str
    name: str
    id: int
    path: Path
    default_branch: str = "main"
    pulls: dict[int, Pull] = field(default_factory=dict)
    comments: dict[int, list[Comment]] = field(default_factory=dict)
    next_number: int = 1

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"


class GitHubStandin:
    """The server and its state. Start with `start()`, stop with `close()`."""

    def __init__(self, root: Path, app_id: int = 4242, app_slug: str = "eco-app") -> None:
        self.root = root
        (root / "git").mkdir(parents=True, exist_ok=True)
        self.repos: dict[str, Repo] = {}
        self.tokens: dict[str, Token] = {}
        self.installations: dict[int, Installation] = {}
        self.requests: list[RecordedRequest] = []
        #: (comment id, content, login) of every reaction posted to an issue comment.
        self.reactions: list[tuple[int, str, str]] = []
        self.app_id = app_id
        self.app_slug = app_slug
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.app_private_key_pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode("ascii")
        self.app_public_key_pem = key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode("ascii")
        self._lock = threading.RLock()
        self._ids = itertools.count(1000)
        self._rate_limited = 0
        self.rate_limit_retry_after = 1
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> GitHubStandin:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        server.daemon_threads = True
        self._server = server
        self.port = server.server_address[1]
        self._thread = threading.Thread(target=server.serve_forever, name="github-standin", daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> GitHubStandin:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ addresses

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        """What ``GITHUB_API_URL`` is on github.com: the API at the server's root."""
        return self.base_url

    @property
    def enterprise_api_url(self) -> str:
        """GitHub Enterprise Server's shape: the API under ``/api/v3``."""
        return f"{self.base_url}/api/v3"

    def git_url(self, owner: str, repo: str) -> str:
        """Smart-HTTP clone URL (needs basic auth ``x-access-token:<token>``)."""
        return f"{self.base_url}/git/{owner}/{repo}.git"

    def authenticated_git_url(self, owner: str, repo: str, token: str) -> str:
        return f"http://x-access-token:{token}@127.0.0.1:{self.port}/git/{owner}/{repo}.git"

    # ------------------------------------------------------------------ state set-up

    def add_repo(self, owner: str, name: str, source_repo_path: Path | None = None,
                 default_branch: str = "main", installed: bool = True) -> Path:
        """A bare repository ``owner/name``, cloned from ``source_repo_path`` (all branches)
        when given; the App is installed on it (one installation per owner) unless told not."""
        path = self.root / "git" / owner / f"{name}.git"
        path.parent.mkdir(parents=True, exist_ok=True)
        if source_repo_path is not None:
            _git(path.parent, "clone", "-q", "--bare", str(source_repo_path), path.name)
        else:
            _git(path.parent, "init", "-q", "--bare", "-b", default_branch, path.name)
        _git(path, "config", "http.receivepack", "true")
        _git(path, "symbolic-ref", "HEAD", f"refs/heads/{default_branch}")
        with self._lock:
            repo = Repo(owner, name, next(self._ids), path, default_branch)
            self.repos[repo.full_name] = repo
            if installed:
                self.installation_for(owner).repositories.append(repo.full_name)
        return path

    def installation_for(self, account: str) -> Installation:
        """The App's installation on ``account`` (created on first use)."""
        with self._lock:
            for inst in self.installations.values():
                if inst.account == account:
                    return inst
            inst = Installation(next(self._ids), account)
            self.installations[inst.id] = inst
            return inst

    def push(self, owner: str, repo: str, source_repo_path: Path, refspec: str = "HEAD:refs/heads/main") -> None:
        """Push from a working repository into the bare one, as a developer would."""
        _git(source_repo_path, "push", "-q", "--force", str(self.repos[f"{owner}/{repo}"].path), refspec)

    def issue_token(self, login: str = "eco-bot", repositories: list[str] | None = None,
                    expires_in: float | None = None) -> str:
        """A token the API accepts (``ghp_`` shape), optionally limited to some repositories."""
        value = "ghp_" + secrets.token_hex(18)
        with self._lock:
            self.tokens[value] = Token(value, "user", login,
                                       repositories=frozenset(repositories) if repositories else None,
                                       expires_at=time.time() + expires_in if expires_in else None)
        return value

    def rate_limit_next(self, n: int, retry_after: int = 1) -> None:
        """Answer the next ``n`` API requests with GitHub's secondary rate limit (403)."""
        with self._lock:
            self._rate_limited = n
            self.rate_limit_retry_after = retry_after

    def add_pull(self, owner: str, repo: str, head: str, title: str = "a change", body: str = "",
                 base: str | None = None, login: str = "someone", labels: list[str] | None = None,
                 state: str = "open") -> int:
        """Seed a pull request (its head branch is created at the base head if missing)."""
        r = self.repos[f"{owner}/{repo}"]
        base = base or r.default_branch
        with self._lock:
            if _rev(r.path, f"refs/heads/{head}") is None:
                _git(r.path, "update-ref", f"refs/heads/{head}", f"refs/heads/{base}")
            number = r.next_number
            r.next_number += 1
            r.pulls[number] = Pull(number, title, body, head, base, login, labels=list(labels or []),
                                   state=state)
            return number

    def close_pull(self, owner: str, repo: str, number: int, merged: bool = False) -> None:
        """A human closes (or merges) a pull request."""
        with self._lock:
            pull = self.repos[f"{owner}/{repo}"].pulls[number]
            pull.state = "closed"
            pull.merged = merged
            pull.closed_at = _now()
            pull.merged_at = pull.closed_at if merged else None

    # ------------------------------------------------------------------ inspection

    def pulls(self, owner: str, repo: str) -> list[Pull]:
        """Every pull request of ``owner/repo``, oldest first."""
        return list(self.repos[f"{owner}/{repo}"].pulls.values())

    def comments(self, owner: str, repo: str, number: int) -> list[Comment]:
        return list(self.repos[f"{owner}/{repo}"].comments.get(number, []))

    def file_at(self, owner: str, repo: str, ref: str, path: str) -> str | None:
        """A file's text at a branch or commit of the bare repository (None when absent)."""
        out = subprocess.run(["git", "show", f"{ref}:{path}"], cwd=self.repos[f"{owner}/{repo}"].path,
                             capture_output=True, text=True, env={**os.environ, **_GIT_ENV})
        return out.stdout if out.returncode == 0 else None

    def branches(self, owner: str, repo: str) -> list[str]:
        out = _git(self.repos[f"{owner}/{repo}"].path, "for-each-ref", "--format=%(refname:short)", "refs/heads/")
        return out.split()

    def api_requests(self, method: str | None = None, route_prefix: str = "") -> list[RecordedRequest]:
        """Recorded API (not git) requests, filtered by method and route prefix."""
        with self._lock:
            return [r for r in self.requests if not r.route.startswith("/git/")
                    and (method is None or r.method == method) and r.route.startswith(route_prefix)]

    # ------------------------------------------------------------------ auth

    def _token(self, headers: dict[str, str]) -> Token:
        auth = headers.get("authorization", "")
        if not auth:
            raise ApiError(401, "Requires authentication")
        scheme, _, value = auth.partition(" ")
        if scheme.lower() not in ("token", "bearer") or not value:
            raise ApiError(401, "Bad credentials")
        with self._lock:
            token = self.tokens.get(value.strip())
        if token is None or (token.expires_at is not None and token.expires_at < time.time()):
            raise ApiError(401, "Bad credentials")
        return token

    def _app_jwt(self, headers: dict[str, str]) -> None:
        """Check ``Authorization: Bearer <JWT>`` as GitHub checks an App's JWT."""
        auth = headers.get("authorization", "")
        scheme, _, value = auth.partition(" ")
        if scheme.lower() != "bearer" or not value:
            raise ApiError(401, "A JSON web token could not be decoded")
        try:
            claims = jwt.decode(value, self.app_public_key_pem, algorithms=["RS256"],
                                options={"require": ["exp", "iat", "iss"], "verify_iss": False})
        except jwt.ExpiredSignatureError:
            raise ApiError(401, "'Expiration time' claim ('exp') must be a numeric value representing the "
                                "future time at which the assertion expires") from None
        except jwt.ImmatureSignatureError:
            raise ApiError(401, "'Issued at' claim ('iat') must be an Integer representing a time in the past") from None
        except jwt.PyJWTError:
            raise ApiError(401, "A JSON web token could not be decoded") from None
        if str(claims["iss"]) != str(self.app_id):
            raise ApiError(401, "Integration not found")
        if int(claims["exp"]) - int(claims["iat"]) > 600:
            raise ApiError(401, "'Expiration time' claim ('exp') is too far in the future")

    def _repo(self, token: Token, owner: str, name: str) -> Repo:
        repo = self.repos.get(f"{owner}/{name}")
        if repo is None or (token.repositories is not None and repo.full_name not in token.repositories):
            raise _not_found()
        return repo

    # ------------------------------------------------------------------ JSON shapes

    def _user(self, login: str, prefix: str) -> dict[str, Any]:
        kind = "Bot" if login.endswith("[bot]") else "User"
        return {"login": login, "id": _int_id(login), "node_id": f"U_{login}", "type": kind,
                "url": f"{prefix}/users/{quote(login)}", "html_url": f"{self.base_url}/{quote(login)}",
                "site_admin": False}

    def _repo_json(self, repo: Repo, prefix: str) -> dict[str, Any]:
        url = f"{prefix}/repos/{repo.full_name}"
        return {
            "id": repo.id, "node_id": f"R_{repo.id}", "name": repo.name, "full_name": repo.full_name,
            "owner": {**self._user(repo.owner, prefix), "type": "Organization"},
            "private": True, "html_url": f"{self.base_url}/{repo.full_name}", "description": None,
            "fork": False, "url": url, "pulls_url": f"{url}/pulls{{/number}}",
            "issues_url": f"{url}/issues{{/number}}", "git_refs_url": f"{url}/git/refs{{/sha}}",
            "contents_url": f"{url}/contents/{{+path}}", "clone_url": self.git_url(repo.owner, repo.name),
            "default_branch": repo.default_branch, "visibility": "private", "archived": False,
            "disabled": False, "permissions": {"admin": False, "push": True, "pull": True},
            "created_at": "2024-01-01T00:00:00Z", "updated_at": _now(), "pushed_at": _now(),
        }

    def _pull_json(self, repo: Repo, pull: Pull, prefix: str) -> dict[str, Any]:
        url = f"{prefix}/repos/{repo.full_name}/pulls/{pull.number}"
        issue_url = f"{prefix}/repos/{repo.full_name}/issues/{pull.number}"
        html = f"{self.base_url}/{repo.full_name}/pull/{pull.number}"
        repo_json = self._repo_json(repo, prefix)

        def side(branch: str) -> dict[str, Any]:
            return {"label": f"{repo.owner}:{branch}", "ref": branch, "sha": _rev(repo.path, f"refs/heads/{branch}"),
                    "user": repo_json["owner"], "repo": repo_json}

        return {
            "url": url, "id": repo.id * 100000 + pull.number, "node_id": f"PR_{repo.id}_{pull.number}",
            "html_url": html, "diff_url": f"{html}.diff", "patch_url": f"{html}.patch", "issue_url": issue_url,
            "commits_url": f"{url}/commits", "review_comments_url": f"{url}/comments",
            "review_comment_url": f"{prefix}/repos/{repo.full_name}/pulls/comments{{/number}}",
            "comments_url": f"{issue_url}/comments", "statuses_url": f"{prefix}/repos/{repo.full_name}/statuses/x",
            "number": pull.number, "state": pull.state, "locked": False, "title": pull.title,
            "user": self._user(pull.login, prefix), "body": pull.body,
            "labels": [self._label(repo, name, prefix) for name in pull.labels],
            "milestone": None, "active_lock_reason": None, "created_at": pull.created_at,
            "updated_at": pull.updated_at, "closed_at": pull.closed_at, "merged_at": pull.merged_at,
            "merge_commit_sha": None, "assignee": None, "assignees": [],
            "requested_reviewers": [self._user(login, prefix) for login in pull.reviewers],
            "requested_teams": [{"id": _int_id(slug), "slug": slug, "name": slug,
                                 "url": f"{prefix}/orgs/{repo.owner}/teams/{slug}"} for slug in pull.teams],
            "head": side(pull.head), "base": side(pull.base), "author_association": "NONE",
            "draft": pull.draft, "merged": pull.merged, "mergeable": None, "comments": len(
                repo.comments.get(pull.number, [])),
            "_links": {"self": {"href": url}, "html": {"href": html}, "issue": {"href": issue_url}},
        }

    def _label(self, repo: Repo, name: str, prefix: str) -> dict[str, Any]:
        return {"id": _int_id(name), "node_id": f"L_{name}", "name": name, "color": "ededed",
                "default": False, "description": None,
                "url": f"{prefix}/repos/{repo.full_name}/labels/{quote(name)}"}

    def _comment_json(self, repo: Repo, number: int, comment: Comment, prefix: str) -> dict[str, Any]:
        url = f"{prefix}/repos/{repo.full_name}/issues/comments/{comment.id}"
        return {"id": comment.id, "node_id": f"IC_{comment.id}", "url": url,
                "html_url": f"{self.base_url}/{repo.full_name}/pull/{number}#issuecomment-{comment.id}",
                "issue_url": f"{prefix}/repos/{repo.full_name}/issues/{number}", "body": comment.body,
                "user": self._user(comment.login, prefix), "created_at": comment.created_at,
                "updated_at": comment.updated_at, "author_association": "NONE"}

    def _installation_json(self, inst: Installation, prefix: str) -> dict[str, Any]:
        return {"id": inst.id, "app_id": self.app_id, "app_slug": self.app_slug, "target_type": "Organization",
                "account": {**self._user(inst.account, prefix), "type": "Organization"},
                "access_tokens_url": f"{prefix}/app/installations/{inst.id}/access_tokens",
                "repositories_url": f"{prefix}/installation/repositories", "repository_selection": "selected",
                "permissions": {"contents": "write", "pull_requests": "write", "issues": "write",
                                "metadata": "read"},
                "events": ["push", "pull_request", "issue_comment", "installation"],
                "created_at": "2024-01-01T00:00:00Z", "updated_at": _now(), "suspended_at": None}

    # ------------------------------------------------------------------ routing

    def handle_api(self, method: str, path: str, query: dict[str, list[str]], headers: dict[str, str],
                   body: bytes, prefix: str) -> tuple[int, Any, dict[str, str]]:
        """Answer one API request: (status, JSON body or None, extra headers)."""
        if not headers.get("user-agent"):
            raise ApiError(403, "Request forbidden by administrative rules. "
                                "Please make sure your request has a User-Agent header")
        if not headers.get("accept"):
            raise ApiError(415, "Unsupported 'Accept' header: none")
        with self._lock:
            if self._rate_limited > 0:
                self._rate_limited -= 1
                raise ApiError(403, SECONDARY_RATE_LIMIT_MESSAGE,
                               headers={"retry-after": str(self.rate_limit_retry_after),
                                        "x-ratelimit-remaining": "4000"})
        data: Any = None
        if body:
            try:
                data = json.loads(body)
            except ValueError:
                raise ApiError(400, "Problems parsing JSON") from None
        parts = [unquote(p) for p in path.strip("/").split("/")] if path.strip("/") else []
        with self._lock:
            return self._route(method, parts, query, headers, data, prefix)

    def _route(self, method: str, parts: list[str], query: dict[str, list[str]], headers: dict[str, str],
               data: Any, prefix: str) -> tuple[int, Any, dict[str, str]]:
        # The App's own endpoints: JWT.
        if parts[:1] == ["app"]:
            self._app_jwt(headers)
            if parts == ["app"] and method == "GET":
                return 200, {"id": self.app_id, "slug": self.app_slug, "name": "eco",
                             "owner": self._user("eco-project", prefix), "permissions": {},
                             "events": [], "external_url": self.base_url, "html_url": self.base_url,
                             "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z"}, {}
            if parts == ["app", "installations"] and method == "GET":
                items = [self._installation_json(i, prefix) for i in self.installations.values()]
                return self._page(items, query, prefix + "/app/installations")
            if len(parts) == 4 and parts[1] == "installations" and parts[3] == "access_tokens" and method == "POST":
                inst = self.installations.get(int(parts[2])) if parts[2].isdigit() else None
                if inst is None:
                    raise _not_found()
                names = list(inst.repositories)
                if isinstance(data, dict) and data.get("repositories"):
                    wanted = [f"{inst.account}/{n}" for n in data["repositories"]]
                    if any(w not in inst.repositories for w in wanted):
                        raise ApiError(422, "There is at least one repository that does not exist or is not "
                                            "accessible to the parent installation.")
                    names = wanted
                value = "ghs_" + secrets.token_hex(18)
                expires = time.time() + 3600
                self.tokens[value] = Token(value, "installation", f"{self.app_slug}[bot]", inst.id,
                                           frozenset(names), expires)
                return 201, {"token": value,
                             "expires_at": datetime.fromtimestamp(expires, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                             "permissions": {"contents": "write", "pull_requests": "write", "issues": "write"},
                             "repository_selection": "selected"}, {}
            raise _not_found()
        if len(parts) == 4 and parts[0] == "repos" and parts[3] == "installation" and method == "GET":
            self._app_jwt(headers)
            full = f"{parts[1]}/{parts[2]}"
            for inst in self.installations.values():
                if full in inst.repositories:
                    return 200, self._installation_json(inst, prefix), {}
            raise _not_found()

        token = self._token(headers)
        if parts == ["installation", "repositories"] and method == "GET":
            if token.kind != "installation":
                raise ApiError(403, "You must authenticate with an installation access token in order to list "
                                    "repositories for an installation.")
            repos = [self._repo_json(self.repos[n], prefix) for n in sorted(token.repositories or ())
                     if n in self.repos]
            status, page, link = self._page(repos, query, prefix + "/installation/repositories")
            return status, {"total_count": len(repos), "repository_selection": "selected",
                            "repositories": page}, link
        if parts == ["user"] and method == "GET":
            if token.kind == "installation":
                raise ApiError(403, "Resource not accessible by integration")
            return 200, self._user(token.login, prefix), {}
        if len(parts) < 3 or parts[0] != "repos":
            raise _not_found()
        repo = self._repo(token, parts[1], parts[2])
        rest = parts[3:]
        if not rest:
            if method == "GET":
                return 200, self._repo_json(repo, prefix), {}
            raise _not_found()
        head = rest[0]
        if head == "contents" and method == "GET":
            return self._contents(repo, "/".join(rest[1:]), query, prefix)
        if head == "git":
            return self._git_data(repo, method, rest[1:], query, data, prefix)
        if head == "pulls":
            return self._pulls(repo, token, method, rest[1:], query, data, prefix)
        if head == "issues":
            return self._issues(repo, token, method, rest[1:], query, data, prefix)
        raise _not_found()

    def _page(self, items: list[Any], query: dict[str, list[str]], url: str) -> tuple[int, Any, dict[str, str]]:
        """Slice a list as GitHub does (``per_page`` ≤ 100, ``page`` from 1) with a ``Link`` header."""
        try:
            per_page = max(1, min(100, int(query.get("per_page", ["30"])[0])))
            page = max(1, int(query.get("page", ["1"])[0]))
        except ValueError:
            raise ApiError(422, "Validation Failed", [{"resource": "Search", "code": "invalid",
                                                       "field": "per_page"}]) from None
        last = max(1, -(-len(items) // per_page))
        chunk = items[(page - 1) * per_page: page * per_page]
        keep = {k: v[0] for k, v in query.items() if k not in ("page", "per_page")}

        def link(n: int) -> str:
            return url + "?" + urlencode({**keep, "per_page": per_page, "page": n})

        rels = []
        if page < last:
            rels += [f'<{link(page + 1)}>; rel="next"', f'<{link(last)}>; rel="last"']
        if page > 1:
            rels += [f'<{link(1)}>; rel="first"', f'<{link(page - 1)}>; rel="prev"']
        return 200, chunk, ({"link": ", ".join(rels)} if rels else {})

    # ------------------------------------------------------------------ contents

    def _contents(self, repo: Repo, path: str, query: dict[str, list[str]], prefix: str) -> tuple[int, Any, dict[str, str]]:
        ref = query.get("ref", [repo.default_branch])[0]
        commit = _rev(repo.path, f"{ref}^{{commit}}")
        if commit is None:
            raise ApiError(404, f"No commit found for the ref {ref}")
        spec = f"{commit}:{path}" if path else f"{commit}^{{tree}}"
        kind = _git_ok(repo.path, "cat-file", "-t", spec)
        if kind is None:
            raise _not_found()
        url = f"{prefix}/repos/{repo.full_name}/contents/{quote(path)}"
        if kind.strip() == "tree":
            items = []
            for line in _git(repo.path, "ls-tree", spec).splitlines():
                meta, name = line.split("\t", 1)
                _mode, typ, sha = meta.split()
                full = f"{path}/{name}" if path else name
                items.append({"type": "dir" if typ == "tree" else "file", "name": name, "path": full, "sha": sha,
                              "url": f"{prefix}/repos/{repo.full_name}/contents/{quote(full)}"})
            return 200, items, {}
        raw = subprocess.run(["git", "cat-file", "blob", spec], cwd=repo.path, capture_output=True, check=True).stdout
        encoded = base64.encodebytes(raw).decode("ascii")
        sha = _git(repo.path, "rev-parse", spec).strip()
        return 200, {"type": "file", "encoding": "base64", "size": len(raw), "name": path.rsplit("/", 1)[-1],
                     "path": path, "content": encoded, "sha": sha, "url": url,
                     "git_url": f"{prefix}/repos/{repo.full_name}/git/blobs/{sha}",
                     "html_url": f"{self.base_url}/{repo.full_name}/blob/{ref}/{path}",
                     "download_url": None}, {}

    # ------------------------------------------------------------------ git data

    def _ref_json(self, repo: Repo, ref: str, sha: str, prefix: str) -> dict[str, Any]:
        return {"ref": ref, "node_id": f"REF_{ref}", "url": f"{prefix}/repos/{repo.full_name}/git/{ref}",
                "object": {"sha": sha, "type": "commit",
                           "url": f"{prefix}/repos/{repo.full_name}/git/commits/{sha}"}}

    def _git_data(self, repo: Repo, method: str, rest: list[str], query: dict[str, list[str]], data: Any,
                  prefix: str) -> tuple[int, Any, dict[str, str]]:
        if not rest:
            raise _not_found()
        kind, args = rest[0], rest[1:]
        if kind in ("ref", "refs") and method == "GET":
            refs = [(name, sha) for sha, name in
                    (line.split() for line in _git(repo.path, "for-each-ref", "--format=%(objectname) %(refname)",
                                                   "refs/").splitlines())]
            if kind == "ref" or args:
                wanted = "refs/" + "/".join(args)
                exact = [(n, s) for n, s in refs if n == wanted]
                if exact:
                    return 200, self._ref_json(repo, *exact[0], prefix), {}
                if kind == "refs":
                    matches = [self._ref_json(repo, n, s, prefix) for n, s in refs if n.startswith(wanted + "/")]
                    if matches:
                        return 200, matches, {}
                raise _not_found()
            items = [self._ref_json(repo, n, s, prefix) for n, s in refs]
            return self._page(items, query, f"{prefix}/repos/{repo.full_name}/git/refs")
        if kind == "refs" and method == "POST" and not args:
            body = _object(data)
            ref, sha = body.get("ref"), body.get("sha")
            if not isinstance(ref, str) or not ref:
                raise ApiError(422, 'Invalid request.\n\n"ref" wasn\'t supplied.')
            if not isinstance(sha, str) or not sha:
                raise ApiError(422, 'Invalid request.\n\n"sha" wasn\'t supplied.')
            if not ref.startswith("refs/") or ref.count("/") < 2 or _git_ok(repo.path, "check-ref-format", ref) is None:
                raise ApiError(422, "Reference name is invalid")
            if _object_type(repo.path, sha) != "commit":
                raise ApiError(422, "Object does not exist")
            if _rev(repo.path, ref) is not None:
                raise ApiError(422, "Reference already exists")
            _git(repo.path, "update-ref", ref, sha, "")
            return 201, self._ref_json(repo, ref, sha, prefix), {}
        if kind == "refs" and method in ("PATCH", "DELETE") and args:
            ref = "refs/" + "/".join(args)
            old = _rev(repo.path, ref)
            if old is None:
                raise ApiError(422, "Reference does not exist")
            if method == "DELETE":
                _git(repo.path, "update-ref", "-d", ref)
                return 204, None, {}
            body = _object(data)
            sha = body.get("sha")
            if not isinstance(sha, str) or not sha:
                raise ApiError(422, 'Invalid request.\n\n"sha" wasn\'t supplied.')
            if _object_type(repo.path, sha) != "commit":
                raise ApiError(422, "Object does not exist")
            if not body.get("force") and _git_ok(repo.path, "merge-base", "--is-ancestor", old, sha) is None:
                raise ApiError(422, "Update is not a fast forward")
            _git(repo.path, "update-ref", ref, sha, old)
            return 200, self._ref_json(repo, ref, sha, prefix), {}
        if kind == "blobs" and method == "POST" and not args:
            body = _object(data)
            content, encoding = body.get("content"), body.get("encoding", "utf-8")
            if not isinstance(content, str):
                raise ApiError(422, 'Invalid request.\n\n"content" wasn\'t supplied.')
            if encoding not in ("utf-8", "base64"):
                raise ApiError(422, f"encoding must be one of utf-8, base64 (not {encoding})")
            raw = base64.b64decode(content) if encoding == "base64" else content.encode("utf-8")
            sha = _hash_object(repo.path, raw)
            return 201, {"sha": sha, "url": f"{prefix}/repos/{repo.full_name}/git/blobs/{sha}"}, {}
        if kind == "blobs" and method == "GET" and len(args) == 1:
            if _object_type(repo.path, args[0]) != "blob":
                raise _not_found()
            raw = subprocess.run(["git", "cat-file", "blob", args[0]], cwd=repo.path, capture_output=True,
                                 check=True).stdout
            return 200, {"sha": args[0], "size": len(raw), "encoding": "base64",
                         "content": base64.encodebytes(raw).decode("ascii"),
                         "url": f"{prefix}/repos/{repo.full_name}/git/blobs/{args[0]}"}, {}
        if kind == "trees" and method == "POST" and not args:
            return 201, self._create_tree(repo, _object(data), prefix), {}
        if kind == "trees" and method == "GET" and len(args) == 1:
            if _object_type(repo.path, args[0]) not in ("tree", "commit"):
                raise _not_found()
            return 200, self._tree_json(repo, args[0], prefix, recursive=bool(query.get("recursive"))), {}
        if kind == "commits" and method == "POST" and not args:
            return 201, self._create_commit(repo, _object(data), prefix), {}
        if kind == "commits" and method == "GET" and len(args) == 1:
            if _object_type(repo.path, args[0]) != "commit":
                raise _not_found()
            return 200, self._commit_json(repo, args[0], prefix), {}
        raise _not_found()

    def _tree_json(self, repo: Repo, sha: str, prefix: str, recursive: bool = False) -> dict[str, Any]:
        tree_sha = _git(repo.path, "rev-parse", f"{sha}^{{tree}}").strip()
        entries = []
        for line in _git(repo.path, "ls-tree", "-l", *(["-r", "-t"] if recursive else []), tree_sha).splitlines():
            meta, path = line.split("\t", 1)
            mode, typ, obj, size = meta.split()
            entry: dict[str, Any] = {"path": path, "mode": mode, "type": typ, "sha": obj,
                                     "url": f"{prefix}/repos/{repo.full_name}/git/{typ}s/{obj}"}
            if typ == "blob":
                entry["size"] = int(size)
            entries.append(entry)
        return {"sha": tree_sha, "url": f"{prefix}/repos/{repo.full_name}/git/trees/{tree_sha}",
                "tree": entries, "truncated": False}

    def _create_tree(self, repo: Repo, body: dict[str, Any], prefix: str) -> dict[str, Any]:
        entries = body.get("tree")
        if not isinstance(entries, list):
            raise ApiError(422, 'Invalid request.\n\n"tree" wasn\'t supplied.')
        base = body.get("base_tree")
        if base is not None and _object_type(repo.path, str(base)) != "tree":
            raise ApiError(422, "base_tree is not a valid tree oid")  # GitHub: tree SHA required
        with tempfile.TemporaryDirectory() as tmp:
            env = {"GIT_INDEX_FILE": str(Path(tmp) / "index")}
            if base is not None:
                _git(repo.path, "read-tree", str(base), env=env)
            else:
                _git(repo.path, "read-tree", "--empty", env=env)
            for i, entry in enumerate(entries):
                if not isinstance(entry, dict) or not isinstance(entry.get("path"), str) or not entry["path"]:
                    raise ApiError(422, f'Invalid request.\n\n"path" wasn\'t supplied for tree.{i}.')
                path, mode, typ = entry["path"], entry.get("mode"), entry.get("type")
                if mode not in _MODES:
                    raise ApiError(422, f"tree.{i}.mode must be one of {', '.join(sorted(_MODES))}")
                if typ not in ("blob", "tree", "commit"):
                    raise ApiError(422, f"tree.{i}.type must be one of blob, tree, commit")
                if typ != "blob":
                    raise ApiError(422, f"tree.{i}: only blob entries are supported by this stand-in")
                if "sha" in entry and entry["sha"] is None:
                    _git(repo.path, "update-index", "--force-remove", "--", path, env=env)
                    continue
                if "content" in entry:
                    if "sha" in entry:
                        raise ApiError(422, f"tree.{i}: only one of sha or content may be given")
                    sha = _hash_object(repo.path, str(entry["content"]).encode("utf-8"))
                else:
                    sha = entry.get("sha")
                    if not isinstance(sha, str) or _object_type(repo.path, sha) != "blob":
                        raise ApiError(422, f"tree.sha {sha} is not a valid blob")
                _git(repo.path, "update-index", "--add", "--cacheinfo", f"{mode},{sha},{path}", env=env)
            tree = _git(repo.path, "write-tree", env=env).strip()
        return self._tree_json(repo, tree, prefix)

    def _create_commit(self, repo: Repo, body: dict[str, Any], prefix: str) -> dict[str, Any]:
        message, tree, parents = body.get("message"), body.get("tree"), body.get("parents", [])
        if not isinstance(message, str):
            raise ApiError(422, 'Invalid request.\n\n"message" wasn\'t supplied.')
        if not isinstance(tree, str):
            raise ApiError(422, 'Invalid request.\n\n"tree" wasn\'t supplied.')
        if _object_type(repo.path, tree) != "tree":
            raise ApiError(422, "Tree SHA does not exist")
        if not isinstance(parents, list) or any(_object_type(repo.path, str(p)) != "commit" for p in parents):
            raise ApiError(422, "Parent SHA does not exist or is not a commit object")
        env: dict[str, str] = {}
        for role in ("author", "committer"):
            person = body.get(role) or body.get("author") or {"name": "eco", "email": "eco@example.invalid"}
            if not isinstance(person, dict) or not person.get("name") or not person.get("email"):
                raise ApiError(422, f'Invalid request.\n\n"name" and "email" must be supplied for {role}.')
            env[f"GIT_{role.upper()}_NAME"] = str(person["name"])
            env[f"GIT_{role.upper()}_EMAIL"] = str(person["email"])
        args = ["commit-tree", tree]
        for p in parents:
            args += ["-p", str(p)]
        sha = subprocess.run(["git", *args], cwd=repo.path, input=message, capture_output=True, text=True,
                             check=True, env={**os.environ, **_GIT_ENV, **env}).stdout.strip()
        return self._commit_json(repo, sha, prefix)

    def _commit_json(self, repo: Repo, sha: str, prefix: str) -> dict[str, Any]:
        sha = _git(repo.path, "rev-parse", sha).strip()
        raw = _git(repo.path, "cat-file", "commit", sha)
        header, _, message = raw.partition("\n\n")
        tree, parents, people = "", [], {}
        for line in header.splitlines():
            key, _, value = line.partition(" ")
            if key == "tree":
                tree = value
            elif key == "parent":
                parents.append(value)
            elif key in ("author", "committer"):
                name, _, rest = value.partition(" <")
                email, _, when = rest.partition("> ")
                stamp = datetime.fromtimestamp(int(when.split()[0]), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
                people[key] = {"name": name, "email": email, "date": stamp}
        base = f"{prefix}/repos/{repo.full_name}/git"
        return {"sha": sha, "node_id": f"C_{sha}", "url": f"{base}/commits/{sha}",
                "html_url": f"{self.base_url}/{repo.full_name}/commit/{sha}", "author": people.get("author"),
                "committer": people.get("committer"), "message": message.rstrip("\n"),
                "tree": {"sha": tree, "url": f"{base}/trees/{tree}"},
                "parents": [{"sha": p, "url": f"{base}/commits/{p}",
                             "html_url": f"{self.base_url}/{repo.full_name}/commit/{p}"} for p in parents],
                "verification": {"verified": False, "reason": "unsigned", "signature": None, "payload": None}}

    # ------------------------------------------------------------------ pulls and issues

    def _pull(self, repo: Repo, number: str) -> Pull:
        if not number.isdigit() or int(number) not in repo.pulls:
            raise _not_found()
        return repo.pulls[int(number)]

    def _pulls(self, repo: Repo, token: Token, method: str, rest: list[str], query: dict[str, list[str]],
               data: Any, prefix: str) -> tuple[int, Any, dict[str, str]]:
        if not rest and method == "GET":
            state = query.get("state", ["open"])[0]
            if state not in ("open", "closed", "all"):
                raise _invalid("PullRequest", "state")
            pulls = [p for p in repo.pulls.values() if state == "all" or p.state == state]
            if "head" in query:
                owner, _, branch = query["head"][0].rpartition(":")
                pulls = [p for p in pulls if p.head == branch and (not owner or owner == repo.owner)]
            if "base" in query:
                pulls = [p for p in pulls if p.base == query["base"][0]]
            reverse = query.get("direction", ["desc"])[0] == "desc"
            pulls.sort(key=lambda p: p.number, reverse=reverse)
            items = [self._pull_json(repo, p, prefix) for p in pulls]
            return self._page(items, query, f"{prefix}/repos/{repo.full_name}/pulls")
        if not rest and method == "POST":
            body = _object(data)
            for name in ("head", "base", "title"):
                if not isinstance(body.get(name), str) or not body[name]:
                    raise _missing("PullRequest", name)
            head = body["head"].rpartition(":")[2]
            base = body["base"]
            head_sha = _rev(repo.path, f"refs/heads/{head}")
            if head_sha is None:
                raise _invalid("PullRequest", "head")
            base_sha = _rev(repo.path, f"refs/heads/{base}")
            if base_sha is None:
                raise _invalid("PullRequest", "base")
            if _git_ok(repo.path, "merge-base", "--is-ancestor", head_sha, base_sha) is not None:
                raise ApiError(422, "Validation Failed", [{"resource": "PullRequest", "code": "custom",
                                                           "message": f"No commits between {base} and {head}"}])
            if any(p.state == "open" and p.head == head and p.base == base for p in repo.pulls.values()):
                raise ApiError(422, "Validation Failed", [{"resource": "PullRequest", "code": "custom",
                                                           "message": f"A pull request already exists for "
                                                                      f"{repo.owner}:{head}."}])
            number = repo.next_number
            repo.next_number += 1
            pull = Pull(number, body["title"], body.get("body") or "", head, base, token.login,
                        draft=bool(body.get("draft", False)))
            repo.pulls[number] = pull
            return 201, self._pull_json(repo, pull, prefix), {}
        if len(rest) == 1 and method == "GET":
            return 200, self._pull_json(repo, self._pull(repo, rest[0]), prefix), {}
        if len(rest) == 1 and method == "PATCH":
            pull = self._pull(repo, rest[0])
            body = _object(data)
            if body.get("state") not in (None, "open", "closed"):
                raise _invalid("PullRequest", "state")
            for name in ("title", "body"):
                if isinstance(body.get(name), str):
                    setattr(pull, name, body[name])
            if body.get("state") == "closed" and pull.state == "open":
                pull.state, pull.closed_at = "closed", _now()
            pull.updated_at = _now()
            return 200, self._pull_json(repo, pull, prefix), {}
        if len(rest) == 2 and rest[1] == "requested_reviewers" and method == "POST":
            pull = self._pull(repo, rest[0])
            body = _object(data)
            users, teams = body.get("reviewers", []), body.get("team_reviewers", [])
            if not isinstance(users, list) or not isinstance(teams, list) or not (users or teams):
                raise ApiError(422, 'Invalid request.\n\nNo subschema in "anyOf" matched.\n"reviewers" wasn\'t '
                                    'supplied.\n"team_reviewers" wasn\'t supplied.')
            if pull.login in users:
                raise ApiError(422, "Review cannot be requested from pull request author.")
            pull.reviewers += [u for u in users if u not in pull.reviewers]
            pull.teams += [t for t in teams if t not in pull.teams]
            return 201, self._pull_json(repo, pull, prefix), {}
        raise _not_found()

    def _issues(self, repo: Repo, token: Token, method: str, rest: list[str], query: dict[str, list[str]],
                data: Any, prefix: str) -> tuple[int, Any, dict[str, str]]:
        if len(rest) == 3 and rest[0] == "comments" and rest[2] == "reactions" and method == "POST":
            content = _object(data).get("content")
            if content not in ("+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes"):
                raise _invalid("Reaction", "content")
            if not any(str(c.id) == rest[1] for cs in repo.comments.values() for c in cs):
                raise _not_found()
            self.reactions.append((int(rest[1]), str(content), token.login))
            return 201, {"id": next(self._ids), "content": content, "user": self._user(token.login, prefix),
                         "created_at": _now()}, {}
        if len(rest) == 2 and rest[0] == "comments" and method in ("GET", "PATCH"):
            for number, comments in repo.comments.items():
                for comment in comments:
                    if str(comment.id) == rest[1]:
                        if method == "PATCH":
                            body = _object(data)
                            if not isinstance(body.get("body"), str):
                                raise _missing("IssueComment", "body")
                            comment.body, comment.updated_at = body["body"], _now()
                        return 200, self._comment_json(repo, number, comment, prefix), {}
            raise _not_found()
        if not rest:
            raise _not_found()
        pull = self._pull(repo, rest[0])
        if len(rest) == 1 and method == "GET":
            url = f"{prefix}/repos/{repo.full_name}/issues/{pull.number}"
            return 200, {"url": url, "id": pull.number, "node_id": f"I_{pull.number}", "number": pull.number,
                         "title": pull.title, "body": pull.body, "state": pull.state,
                         "user": self._user(pull.login, prefix), "comments_url": f"{url}/comments",
                         "labels": [self._label(repo, n, prefix) for n in pull.labels],
                         "html_url": f"{self.base_url}/{repo.full_name}/pull/{pull.number}",
                         "pull_request": {"url": f"{prefix}/repos/{repo.full_name}/pulls/{pull.number}"},
                         "comments": len(repo.comments.get(pull.number, [])), "created_at": pull.created_at,
                         "updated_at": pull.updated_at, "closed_at": pull.closed_at}, {}
        if len(rest) == 2 and rest[1] == "labels" and method == "POST":
            labels = data.get("labels") if isinstance(data, dict) else data
            if not isinstance(labels, list) or not all(isinstance(x, str) and x for x in labels):
                raise ApiError(422, 'Invalid request.\n\n"labels" wasn\'t supplied.')
            pull.labels += [x for x in labels if x not in pull.labels]
            return 200, [self._label(repo, n, prefix) for n in pull.labels], {}
        if len(rest) == 2 and rest[1] == "comments":
            comments = repo.comments.setdefault(pull.number, [])
            if method == "GET":
                items = [self._comment_json(repo, pull.number, c, prefix) for c in comments]
                return self._page(items, query, f"{prefix}/repos/{repo.full_name}/issues/{pull.number}/comments")
            if method == "POST":
                body = _object(data)
                if not isinstance(body.get("body"), str) or not body["body"]:
                    raise _missing("IssueComment", "body")
                comment = Comment(next(self._ids), body["body"], token.login, _now(), _now())
                comments.append(comment)
                return 201, self._comment_json(repo, pull.number, comment, prefix), {}
        raise _not_found()

    # ------------------------------------------------------------------ git smart HTTP

    def handle_git(self, method: str, path: str, query: str, headers: dict[str, str],
                   body: bytes) -> tuple[int, dict[str, str], bytes]:
        """Serve ``/git/<owner>/<repo>.git/...`` through ``git http-backend`` behind basic auth."""
        challenge = {"www-authenticate": 'Basic realm="GitHub"', "content-type": "text/plain"}
        auth = headers.get("authorization", "")
        if not auth.lower().startswith("basic "):
            return 401, challenge, b"Authentication required\n"
        try:
            _user, _, password = base64.b64decode(auth[6:]).decode("utf-8").partition(":")
        except (ValueError, UnicodeDecodeError):
            return 401, challenge, b"Bad credentials\n"
        parts = path.split("/")  # ['', 'git', owner, 'name.git', ...]
        if len(parts) < 4 or not parts[3].endswith(".git"):
            return 404, {"content-type": "text/plain"}, b"Not Found\n"
        with self._lock:
            token = self.tokens.get(password)
            if token is None or (token.expires_at is not None and token.expires_at < time.time()):
                return 401, challenge, b"Invalid username or token.\n"
            try:
                self._repo(token, parts[2], parts[3][:-4])
            except ApiError:
                return 404, {"content-type": "text/plain"}, b"Repository not found.\n"
        env = {**os.environ, **_GIT_ENV, "GIT_PROJECT_ROOT": str(self.root / "git"), "GIT_HTTP_EXPORT_ALL": "1",
               "PATH_INFO": path[len("/git"):], "QUERY_STRING": query, "REQUEST_METHOD": method,
               "CONTENT_TYPE": headers.get("content-type", ""), "CONTENT_LENGTH": str(len(body)),
               "REMOTE_USER": token.login, "REMOTE_ADDR": "127.0.0.1"}
        if headers.get("git-protocol"):
            env["GIT_PROTOCOL"] = headers["git-protocol"]
        if headers.get("content-encoding"):
            env["HTTP_CONTENT_ENCODING"] = headers["content-encoding"]
        out = subprocess.run(["git", "http-backend"], input=body, capture_output=True, env=env).stdout
        head, _, payload = out.partition(b"\r\n\r\n")
        if not _:
            head, _, payload = out.partition(b"\n\n")
        status, response_headers = 200, {}
        for line in head.decode("latin-1").splitlines():
            key, _, value = line.partition(":")
            if key.lower() == "status":
                status = int(value.strip().split()[0])
            elif key:
                response_headers[key.strip().lower()] = value.strip()
        return status, response_headers, payload


def _handler_for(standin: GitHubStandin) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "GitHub.com-standin"

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def _body(self) -> bytes:
            if self.headers.get("transfer-encoding", "").lower() == "chunked":
                chunks = []
                while True:
                    size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                    if size == 0:
                        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                            pass
                        break
                    chunks.append(self.rfile.read(size))
                    self.rfile.readline()
                return b"".join(chunks)
            length = int(self.headers.get("content-length") or 0)
            return self.rfile.read(length) if length else b""

        def _handle(self) -> None:
            body = self._body()
            headers = {k.lower(): v for k, v in self.headers.items()}
            record = RecordedRequest(self.command, self.path, dict(self.headers.items()),
                                     body.decode("utf-8", "replace"))
            with standin._lock:
                standin.requests.append(record)
            split = urlsplit(self.path)
            if split.path.startswith("/git/"):
                status, extra, payload = standin.handle_git(self.command, split.path, split.query, headers, body)
                self._send(record, status, extra, payload)
                return
            path, prefix = split.path, standin.base_url
            if path.startswith("/api/v3/") or path == "/api/v3":
                path, prefix = path[len("/api/v3"):], standin.enterprise_api_url
            query = parse_qs(split.query)
            try:
                status, data, extra = standin.handle_api(self.command, path, query, headers, body, prefix)
            except ApiError as exc:
                status, data, extra = exc.status, exc.body, exc.headers
            except Exception as exc:  # a stand-in bug: answer 500 as GitHub would, and keep the message
                status, data, extra = 500, {"message": f"stand-in error: {type(exc).__name__}: {exc}"}, {}
            payload = b"" if data is None else json.dumps(data).encode("utf-8")
            extra = {"content-type": "application/json; charset=utf-8", "x-github-media-type": "github.v3",
                     "x-ratelimit-limit": "5000", "x-ratelimit-remaining": "4999",
                     "x-ratelimit-reset": str(int(time.time()) + 3600), **extra}
            self._send(record, status, extra, payload)

        def _send(self, record: RecordedRequest, status: int, headers: dict[str, str], payload: bytes) -> None:
            record.status = status
            self.send_response(status)
            for key, value in headers.items():
                if key.lower() not in ("content-length", "transfer-encoding"):
                    self.send_header(key, value)
            self.send_header("content-length", str(len(payload)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = do_HEAD = _handle

    return Handler


# ---------------------------------------------------------------------- git helpers

def _git(cwd: Path, *args: str, env: dict[str, str] | None = None) -> str:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True,
                          env={**os.environ, **_GIT_ENV, **(env or {})}).stdout


def _git_ok(cwd: Path, *args: str) -> str | None:
    out = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True,
                         env={**os.environ, **_GIT_ENV})
    return out.stdout if out.returncode == 0 else None


def _rev(cwd: Path, spec: str) -> str | None:
    out = _git_ok(cwd, "rev-parse", "--verify", "--quiet", spec)
    return out.strip() if out else None


def _object_type(cwd: Path, sha: str) -> str | None:
    if not sha or len(sha) != 40 or any(c not in "0123456789abcdef" for c in sha):
        return None
    out = _git_ok(cwd, "cat-file", "-t", sha)
    return out.strip() if out else None


def _hash_object(cwd: Path, raw: bytes) -> str:
    return subprocess.run(["git", "hash-object", "-w", "--stdin"], cwd=cwd, input=raw, capture_output=True,
                          check=True, env={**os.environ, **_GIT_ENV}).stdout.decode().strip()


def _object(data: Any) -> dict[str, Any]:
    if data is None:
        raise ApiError(400, "Problems parsing JSON")
    if not isinstance(data, dict):
        raise ApiError(422, "Invalid request.\n\nFor 'links/0/schema', is not an object.")
    return data


def _int_id(text: str) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16)


def clone(url: str, dest: Path) -> subprocess.CompletedProcess[str]:
    """``git clone`` over the stand-in's smart HTTP (for tests); never prompts for credentials."""
    return subprocess.run(["git", "clone", "-q", url, str(dest)], capture_output=True, text=True,
                          env={**os.environ, **_GIT_ENV})


def iter_bodies(standin: GitHubStandin) -> Iterator[str]:
    """Every recorded request body (for secret-leak assertions)."""
    for r in list(standin.requests):
        yield r.body
