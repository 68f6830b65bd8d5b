"""The App's parts one at a time: signatures, routing, the queue's rules, tokens, settings, logs."""

from __future__ import annotations

import io
import json
import time
from pathlib import Path

import jwt
import pytest
from app_helpers import installation_created, issue_comment, pull_request_closed, push
from github_standin import GitHubStandin

from eco.app import signature
from eco.app.events import BadPayload, parse_target, route
from eco.app.logs import JsonLog
from eco.app.queue import COMMENT, RUN, JobQueue, JobSpec
from eco.app.settings import load_settings, scrub_environment
from eco.app.tokens import InstallationGone, TokenCache, TokenError, app_jwt
from eco.app.worker import git_auth_env
from eco.errors import ConfigError, StateError


def test_signature_is_hmac_sha256_of_the_exact_body() -> None:
    secret, body = b"It's a Secret to Everybody", b"Hello, World!"
    # GitHub's documented example for this secret and body.
    expected = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    assert signature.sign(secret, body) == expected
    assert signature.verify(secret, body, expected)
    assert not signature.verify(secret, body + b" ", expected)
    assert not signature.verify(b"other", body, expected)
    assert not signature.verify(secret, body, None)
    assert not signature.verify(secret, body, expected.removeprefix("sha256="))
    assert not signature.verify(secret, body, "sha1=" + expected[7:])


def test_routing_rules() -> None:
    d = route("push", push("acme/one", 5, "a" * 40))
    assert d.supersede and [(s.kind, s.repo, s.head_sha, s.installation_id) for s in d.specs] == [
        (RUN, "acme/one", "a" * 40, 5)]
    assert route("push", push("acme/one", 5, "a" * 40, ref="refs/heads/dev")).specs == ()
    assert route("push", push("acme/one", 5, "a" * 40, ref="refs/tags/v1")).specs == ()
    d = route("installation", installation_created(5, "acme", ["acme/one", "acme/two"]))
    assert [s.repo for s in d.specs] == ["acme/one", "acme/two"]
    d = route("installation", {**installation_created(5, "acme", []), "action": "deleted"})
    assert d.cancel == (5, None) and d.specs == ()
    d = route("pull_request", pull_request_closed("acme/one", 5, 9, "eco/pkg-f-x", merged=False))
    assert d.closed is not None and (d.closed.number, d.closed.merged) == (9, False)
    assert route("pull_request", pull_request_closed("acme/one", 5, 9, "main-fix", merged=True)).closed is None
    assert route("ping", {"zen": "z"}).specs == ()
    with pytest.raises(BadPayload):
        route("push", {"ref": "refs/heads/main", "installation": {"id": 5}})
    with pytest.raises(BadPayload):
        route("installation", {"action": "created", "installation": {"id": "5"}})


def test_comment_commands() -> None:
    d = route("issue_comment", issue_comment("acme/one", 5, 3, "/eco optimize pkg/m.py::Parser.tokens\nthanks"))
    assert [(s.kind, s.target, s.issue_number) for s in d.specs] == [
        (COMMENT, None, 3), (RUN, "pkg/m.py::Parser.tokens", 3)]
    d = route("issue_comment", issue_comment("acme/one", 5, 3, "/eco stop", association="MEMBER"))
    assert d.cancel == (5, "acme/one") and d.stop_reply == 3
    for association in ("NONE", "CONTRIBUTOR", "FIRST_TIME_CONTRIBUTOR", "READ"):
        assert route("issue_comment", issue_comment("acme/one", 5, 3, "/eco stop", association=association)
                     ).cancel is None
    assert route("issue_comment", issue_comment("acme/one", 5, 3, "/eco stop", sender_type="Bot")).cancel is None
    assert route("issue_comment", issue_comment("acme/one", 5, 3, "looks good /eco stop")).specs == ()
    for bad in ("/eco optimize ../../etc/passwd.py::f", "/eco optimize /abs.py::f", "/eco optimize m.py::f()",
                "/eco optimize m.txt::f", "/eco frobnicate"):
        d = route("issue_comment", issue_comment("acme/one", 5, 3, bad))
        assert [s.kind for s in d.specs] == [COMMENT] and "/eco optimize" in (d.specs[0].body or "")
    assert parse_target("a/b.py::C.m") == "a/b.py::C.m" and parse_target("a/../b.py::f") is None


def queue(tmp_path: Path, **knobs: float) -> JobQueue:
    return JobQueue(tmp_path / "q.sqlite", **{"lease_s": 10.0, "retry_base_s": 5.0, **knobs})  # type: ignore[arg-type]


def test_delivery_dedup_and_jobs_survive_reopening(tmp_path: Path) -> None:
    q = queue(tmp_path)
    spec = JobSpec(kind=RUN, installation_id=1, repo="a/b")
    assert q.accept("d1", "push", [spec], now=100).job_ids == (1,)
    assert q.accept("d1", "push", [spec], now=101).duplicate
    q.close()
    q = queue(tmp_path)
    assert q.seen("d1") and q.accept("d1", "push", [spec]).duplicate
    assert [(j.id, j.state, j.delivery) for j in q.jobs()] == [(1, "queued", "d1")]


def test_leases_recovery_and_attempts(tmp_path: Path) -> None:
    q = queue(tmp_path, max_attempts=3)
    q.accept("d1", "push", [JobSpec(kind=RUN, installation_id=1, repo="a/b")], now=100)
    job = q.claim(now=100)
    assert job is not None and job.attempts == 1 and q.claim(now=101) is None
    assert q.renew(job.id, now=105)  # lease until 115
    assert q.claim(now=114) is None
    again = q.claim(now=116)  # the lease lapsed: someone else may run it
    assert again is not None and again.id == job.id and again.attempts == 2
    assert q.recover(now=117) == 1 and q.get(job.id).state == "queued"  # type: ignore[union-attr]
    third = q.claim(now=118)
    assert third is not None and third.attempts == 3
    assert q.recover(now=119) == 0
    failed = q.get(job.id)
    assert failed is not None and failed.state == "failed" and "interrupted" in failed.reason


def test_retry_backs_off_then_fails(tmp_path: Path) -> None:
    q = queue(tmp_path, max_attempts=2, retry_base_s=5.0)
    q.accept("d1", "push", [JobSpec(kind=RUN, installation_id=1, repo="a/b")], now=100)
    job = q.claim(now=100)
    assert job is not None and q.retry(job.id, "network down", now=100) == "queued"
    assert q.claim(now=104) is None
    job = q.claim(now=105)
    assert job is not None and q.retry(job.id, "network still down", now=105) == "failed"
    assert q.get(job.id).reason == "network still down"  # type: ignore[union-attr]


def test_per_installation_concurrency_and_hourly_limit(tmp_path: Path) -> None:
    q = queue(tmp_path, per_installation=1, jobs_per_hour=2)
    for n, (inst, repo) in enumerate([(1, "a/x"), (1, "a/y"), (2, "b/z"), (1, "a/w")]):
        q.accept(f"d{n}", "push", [JobSpec(kind=RUN, installation_id=inst, repo=repo)], now=100)
    first = q.claim(now=100)
    second = q.claim(now=100)
    assert first is not None and second is not None
    assert (first.spec.repo, second.spec.repo) == ("a/x", "b/z")  # a/y waits for a/x
    assert q.claim(now=100) is None
    q.finish(first.id, "done", now=101)
    third = q.claim(now=101)
    assert third is not None and third.spec.repo == "a/y"
    q.finish(third.id, "done", now=102)
    assert q.claim(now=102) is None  # two runs of installation 1 this hour
    # Comments are not runs: they skip both limits.
    q.enqueue(JobSpec(kind=COMMENT, installation_id=1, repo="a/x", issue_number=1, body="hi"), "d0", now=102)
    comment = q.claim(now=102)
    assert comment is not None and comment.spec.kind == COMMENT
    q.finish(second.id, "done", now=103)
    q.finish(comment.id, "done", now=103)
    fourth = q.claim(now=100 + 3601)
    assert fourth is not None and fourth.spec.repo == "a/w"


def test_cancel_and_supersede(tmp_path: Path) -> None:
    q = queue(tmp_path)
    q.accept("d1", "push", [JobSpec(kind=RUN, installation_id=1, repo="a/b", head_sha="1")], now=100)
    q.accept("d2", "push", [JobSpec(kind=RUN, installation_id=1, repo="a/c")], now=100)
    running = q.claim(now=100)
    assert running is not None and running.spec.repo == "a/b"
    accepted = q.accept("d3", "push", [JobSpec(kind=RUN, installation_id=1, repo="a/c", head_sha="2")],
                        supersede=True, now=101)
    assert accepted.cancelled == 1  # d2's queued run of a/c
    accepted = q.accept("d4", "issue_comment", cancel=(1, "a/b"), now=102)
    assert accepted.cancelled == 1
    assert not q.renew(running.id, now=103)  # the worker learns it must stop
    assert [(j.spec.repo, j.state) for j in q.jobs()] == [("a/b", "running"), ("a/c", "cancelled"), ("a/c", "queued")]


def test_unreadable_queue_is_a_state_error(tmp_path: Path) -> None:
    path = tmp_path / "q.sqlite"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StateError, match="not a readable job queue"):
        JobQueue(path)


def test_tokens_from_the_standin(github_standin: GitHubStandin) -> None:
    github_standin.add_repo("acme", "one")
    inst = github_standin.installation_for("acme").id
    minted: list[str] = []
    cache = TokenCache(str(github_standin.app_id), github_standin.app_private_key_pem, github_standin.api_url,
                       on_mint=minted.append)
    token = cache.token(inst, "acme/one")
    assert token.startswith("ghs_") and minted == [token]
    assert cache.token(inst, "acme/one") == token and cache.minted == 1  # cached while fresh
    recorded = github_standin.api_requests("POST", f"/app/installations/{inst}/access_tokens")
    assert len(recorded) == 1 and json.loads(recorded[0].body) == {"repositories": ["one"]}
    assert github_standin.tokens[token].repositories == frozenset({"acme/one"})
    # Near expiry, a new one is minted.
    assert cache.token(inst, "acme/one", now=time.time() + 3600 - 60) != token and cache.minted == 2
    with pytest.raises(InstallationGone):
        cache.token(424242)
    wrong = TokenCache("777", github_standin.app_private_key_pem, github_standin.api_url)
    with pytest.raises(TokenError, match="answered 401"):
        wrong.token(inst)


def test_app_jwt_claims(github_standin: GitHubStandin) -> None:
    now = time.time()
    claims = jwt.decode(app_jwt("42", github_standin.app_private_key_pem, now), github_standin.app_public_key_pem,
                        algorithms=["RS256"], options={"verify_exp": False, "verify_iat": False})
    assert claims["iss"] == "42" and claims["iat"] == int(now) - 60 and claims["exp"] - int(now) <= 600


def test_settings(tmp_path: Path, github_standin: GitHubStandin) -> None:
    pem = github_standin.app_private_key_pem
    key = tmp_path / "key.pem"
    key.write_text(pem)
    secret = tmp_path / "secret"
    secret.write_text("s3cret\n")
    env = {"ECO_WEBHOOK_SECRET_FILE": str(secret), "ECO_APP_ID": "42", "ECO_APP_PRIVATE_KEY": str(key),
           "GITHUB_API_URL": "https://ghe.example/api/v3/", "ECO_APP_JOBS_PER_HOUR": "5"}
    settings = load_settings(env)
    assert settings.webhook_secret == b"s3cret" and settings.private_key == pem
    assert settings.api_url == "https://ghe.example/api/v3" and settings.jobs_per_hour == 5
    assert "s3cret" not in repr(settings) and pem not in repr(settings)
    assert load_settings({**env, "ECO_APP_PRIVATE_KEY": pem}).private_key.strip() == pem.strip()
    for broken, message in [
        ({"ECO_WEBHOOK_SECRET_FILE": ""}, "ECO_WEBHOOK_SECRET (or ECO_WEBHOOK_SECRET_FILE) is not set"),
        ({"ECO_WEBHOOK_SECRET": "x"}, "ECO_WEBHOOK_SECRET and ECO_WEBHOOK_SECRET_FILE are both set"),
        ({"ECO_APP_ID": "abc"}, "ECO_APP_ID: expected the App's numeric id"),
        ({"ECO_APP_PRIVATE_KEY": str(secret)}, "ECO_APP_PRIVATE_KEY file is not a PEM key"),
        ({"ECO_APP_JOBS_PER_HOUR": "0"}, "ECO_APP_JOBS_PER_HOUR: must be at least 1"),
        ({"GITHUB_API_URL": "ftp://x"}, "GITHUB_API_URL: expected an http(s) URL"),
    ]:
        with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
            load_settings({**env, **broken})
    environ = dict(env, ECO_WEBHOOK_SECRET="x", PATH="/bin")
    scrub_environment(environ)
    assert environ == {"ECO_APP_ID": "42", "GITHUB_API_URL": "https://ghe.example/api/v3/",
                       "ECO_APP_JOBS_PER_HOUR": "5", "PATH": "/bin"}


def test_logs_are_json_lines_with_secrets_redacted() -> None:
    out = io.StringIO()
    log = JsonLog(out)
    log.redact("ghs_abcdefghijklmnop", "-----BEGIN KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END KEY-----")
    log("job-end", job=3, reason="failed with ghs_abcdefghijklmnop and MIIEvQIBADANBgkqhkiG9w0BAQEFAASC", n=None)
    record = json.loads(out.getvalue())
    assert record["event"] == "job-end" and record["job"] == 3 and "n" not in record
    assert record["reason"] == "failed with [redacted] and [redacted]"


def test_git_auth_header_is_scoped_to_the_host() -> None:
    env = git_auth_env("ghs_tok", "https://github.example/acme/one.git")
    assert env["GIT_CONFIG_KEY_0"] == "http.https://github.example/.extraHeader"
    assert env["GIT_CONFIG_VALUE_0"].startswith("Authorization: Basic ")


def test_app_exports() -> None:
    import types

    import eco.app

    public = {n for n in dir(eco.app) if not n.startswith("_")}
    modules = {n for n in public if isinstance(getattr(eco.app, n), types.ModuleType)}
    assert set(eco.app.__all__) == public - modules
