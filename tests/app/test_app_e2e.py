"""Webhook → job → clone with an installation token → pipeline → pull request, against the stand-in.

The repository is tiny and real: one quadratic function (``xs = xs + [x]`` in a loop)
that the rule-based drafter fixes and the verifier proves faster. Its workload also
writes its own environment into ``.eco/`` of the clone, so the test can check that no
secret reached the code under test.
"""

from __future__ import annotations

import json
import signal
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from app_helpers import (
    SECRET,
    Server,
    installation_created,
    issue_comment,
    pull_request_closed,
    push,
    server_env,
    wait_jobs,
)
from github_standin import GitHubStandin, iter_bodies

from eco.publish.ledger import PullLedger

# tests/conftest.py's make_repo fixture (not imported: several conftest modules share that name).
MakeRepo = Callable[..., Path]

FILES = {
    "pkg/__init__.py": "",
    "pkg/words.py": """\
        def shout_all(words):
            out = []
            for w in words:
                out = out + [w.upper()]
            return out
        """,
    "test_words.py": """\
        from pkg.words import shout_all


        def test_shout_all():
            assert shout_all(["a", "b"]) == ["A", "B"]
        """,
    "workload.py": """\
        import json
        import os
        import time
        from pkg.words import shout_all

        os.makedirs(".eco", exist_ok=True)
        with open(os.path.join(".eco", f"env-{os.getpid()}.json"), "w") as f:
            json.dump(dict(os.environ), f)
        time.sleep({slow})
        WORDS = ("the quick brown fox jumps over the lazy dog " * 300).split()
        for _ in range(5):
            shout_all(WORDS)
        """,
    "pyproject.toml": """\
        [project]
        name = "tiny"
        version = "0.1.0"

        [tool.eco]
        workload = "python workload.py"
        max_share = 1.0
        # Two processes per run: four per side. With one each (two per side) the
        # small-sample widening (x9) can swallow even a 100x speedup on a loaded machine.
        bench_rounds = 2
        bench_processes = 2
        bench_values = 2
        """,
}


def tiny_repo(make_repo: MakeRepo, standin: GitHubStandin, slow: float = 0.0) -> Path:
    files = {**FILES, "workload.py": FILES["workload.py"].replace("{slow}", repr(slow))}
    root = make_repo(files, name="tiny")
    standin.add_repo("acme", "tiny", root)
    return root


@pytest.fixture
def app(tmp_path: Path, github_standin: GitHubStandin) -> Iterator[Server]:
    env = server_env(github_standin.api_url, github_standin.app_id, github_standin.app_private_key_pem,
                     ECO_APP_KEEP_WORKDIRS="1", ECO_APP_LEASE_S="3", GITHUB_TOKEN="ghp_should_not_travel")
    srv = Server(tmp_path / "state", env)
    yield srv
    srv.close()


def secrets_of(standin: GitHubStandin, app: Server) -> list[str]:
    tokens = [t.value for t in standin.tokens.values() if t.kind == "installation"]
    key_lines = [line for line in standin.app_private_key_pem.splitlines() if "-----" not in line]
    return [SECRET, *tokens, *key_lines, "ghp_should_not_travel"]


def assert_no_secret_anywhere(standin: GitHubStandin, app: Server) -> None:
    secrets = secrets_of(standin, app)
    assert len(secrets) > 3  # at least one installation token was minted
    text = app.log_text()
    bodies = list(iter_bodies(standin))
    for secret in secrets:
        assert secret not in text
        assert not any(secret in body for body in bodies)
    for path in app.state.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for secret in secrets:
                assert secret.encode() not in data, f"{secret[:8]}... in {path}"


def test_installation_opens_one_pull_request_as_the_app(app: Server, make_repo: MakeRepo,
                                                        github_standin: GitHubStandin) -> None:
    root = tiny_repo(make_repo, github_standin)
    inst = github_standin.installation_for("acme").id
    app.start()
    status, _ = app.deliver("installation", installation_created(inst, "acme", ["acme/tiny"]))
    assert status == 202
    rows = wait_jobs(app.state, lambda rows: rows[0]["state"] in ("done", "failed"), 240, app)
    assert rows[0]["state"] == "done", rows[0]["reason"]
    assert rows[0]["attempts"] == 1
    pulls = github_standin.pulls("acme", "tiny")
    assert len(pulls) == 1 and pulls[0].title.startswith("perf: shout_all"), rows[0]["reason"]
    assert pulls[0].login == f"{github_standin.app_slug}[bot]"  # opened as the App
    assert "<!-- eco:pkg/words.py::shout_all:" in pulls[0].body
    entries = PullLedger(app.state / "pulls.sqlite").entries("acme/tiny")
    assert [(e.number, e.qualname, e.state) for e in entries] == [(pulls[0].number, "shout_all", "open")]
    # The clone came over smart HTTP with the token in a header; .git/config has the plain URL.
    clone = app.state / "work" / f"job-{rows[0]['id']}"
    config = (clone / ".git" / "config").read_text()
    assert github_standin.git_url("acme", "tiny") in config and "x-access-token" not in config
    # The code under test saw a scrubbed environment.
    dumps = list((clone / ".eco").glob("env-*.json"))
    assert dumps
    for dump in dumps:
        env = json.loads(dump.read_text())
        assert not any(k.startswith(("ECO_", "GITHUB_", "GIT_CONFIG")) for k in env), sorted(env)
        assert not any(s in json.dumps(env) for s in secrets_of(github_standin, app))

    # A human merges it: the ledger says so.
    github_standin.close_pull("acme", "tiny", pulls[0].number, merged=True)
    closed = pull_request_closed("acme/tiny", inst, pulls[0].number, pulls[0].head, merged=True)
    assert app.deliver("pull_request", closed)[0] == 200
    assert [e.state for e in PullLedger(app.state / "pulls.sqlite").entries("acme/tiny")] == ["merged"]

    # A push of a commit that is no longer the branch head is skipped as superseded.
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True,
                          check=True).stdout.strip()
    assert app.deliver("push", push("acme/tiny", inst, "f" * 40, before=head))[0] == 202
    rows = wait_jobs(app.state, lambda rows: rows[-1]["state"] in ("done", "failed"), 60, app)
    assert rows[-1]["state"] == "done" and rows[-1]["reason"].startswith("superseded: main is at")
    assert len(github_standin.pulls("acme", "tiny")) == 1
    assert_no_secret_anywhere(github_standin, app)
    log = [r for r in app.records if r["event"] == "job-end"]
    assert {r["state"] for r in log} == {"done"} and all("duration_s" in r for r in log)


@pytest.mark.slow
def test_optimize_command_replies_and_opens_nothing_twice(app: Server, make_repo: MakeRepo,
                                                           github_standin: GitHubStandin) -> None:
    tiny_repo(make_repo, github_standin)
    inst = github_standin.installation_for("acme").id
    number = github_standin.add_pull("acme", "tiny", head="feature", title="a feature")
    app.start()
    comment = issue_comment("acme/tiny", inst, number, "/eco optimize pkg/words.py::shout_all")
    assert app.deliver("issue_comment", comment)[0] == 202
    wait_jobs(app.state, lambda rows: len(rows) == 2 and all(r["state"] == "done" for r in rows), 240, app)
    texts = [c.body for c in github_standin.comments("acme", "tiny", number)]
    assert texts[0].startswith("@maintainer eco queued a run on `pkg/words.py::shout_all`")
    assert "`pkg/words.py::shout_all`: verified" in texts[1] and "opened http" in texts[1]
    assert len([p for p in github_standin.pulls("acme", "tiny") if p.head.startswith("eco/")]) == 1
    # The same command again: verified again, but the open PR is found, so nothing new.
    assert app.deliver("issue_comment", comment)[0] == 202
    wait_jobs(app.state, lambda rows: len(rows) == 4 and all(r["state"] == "done" for r in rows), 240, app)
    texts = [c.body for c in github_standin.comments("acme", "tiny", number)]
    assert "already proposes a change to this code" in texts[-1]
    assert len([p for p in github_standin.pulls("acme", "tiny") if p.head.startswith("eco/")]) == 1
    assert_no_secret_anywhere(github_standin, app)


def test_killed_mid_job_the_job_resumes_and_completes_once(app: Server, make_repo: MakeRepo,
                                                           github_standin: GitHubStandin) -> None:
    tiny_repo(make_repo, github_standin, slow=2.0)
    inst = github_standin.installation_for("acme").id
    app.start()
    assert app.deliver("installation", installation_created(inst, "acme", ["acme/tiny"]))[0] == 202
    app.wait_for(lambda r: r.get("event") == "progress", 60)  # the pipeline is running
    app.stop(signal.SIGKILL)
    assert github_standin.pulls("acme", "tiny") == []
    app.start()
    listening = [r for r in app.records if r["event"] == "listening"]
    assert listening[-1]["requeued"] == 1
    rows = wait_jobs(app.state, lambda rows: rows[0]["state"] in ("done", "failed"), 240, app)
    assert rows[0]["state"] == "done" and rows[0]["attempts"] == 2, (rows[0]["reason"], app.log_text()[-3000:])
    assert len(github_standin.pulls("acme", "tiny")) == 1
    assert len(PullLedger(app.state / "pulls.sqlite").entries("acme/tiny")) == 1
    assert_no_secret_anywhere(github_standin, app)
