"""`eco serve` as a real subprocess: status codes, dedup that survives a restart, limits, shutdown."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from app_helpers import (
    SECRET,
    Server,
    installation_created,
    issue_comment,
    jobs,
    pull_request_closed,
    push,
    server_env,
    wait_jobs,
)
from github_standin import GitHubStandin

from eco.publish.ledger import PullLedger

NO_SUCH_INSTALLATION = 999_999


@pytest.fixture
def server(tmp_path: Path, github_standin: GitHubStandin) -> Iterator[Server]:
    env = server_env(github_standin.api_url, github_standin.app_id, github_standin.app_private_key_pem,
                     ECO_APP_JOBS_PER_HOUR="1")
    srv = Server(tmp_path / "state", env).start()
    yield srv
    srv.close()


def test_status_codes(server: Server) -> None:
    assert server.request("GET", "/healthz")[0] == 200
    assert server.deliver("ping", {"zen": "Keep it logically awesome.", "hook_id": 1})[0] == 200
    payload = push("acme/one", NO_SUCH_INSTALLATION, "1" * 40)
    # Forged: signed with another secret; unsigned; signed over a different body.
    assert server.deliver("push", payload, secret="not-the-secret")[0] == 401
    assert server.deliver("push", payload, secret=None)[0] == 401
    sha1 = {"X-Hub-Signature": "sha1=" + "0" * 40}
    assert server.deliver("push", payload, secret=None, headers=sha1)[0] == 401
    raw = json.dumps(payload).encode()
    from app_helpers import signed
    assert server.deliver("push", None, body=raw + b" ", headers={"X-Hub-Signature-256": signed(raw)},
                          secret=None)[0] == 401
    # Signed but not JSON, or not an object, or the wrong shape.
    assert server.deliver("push", None, body=b"{not json")[0] == 400
    assert server.deliver("push", None, body=b"[1, 2]")[0] == 400
    assert server.deliver("push", {"ref": "refs/heads/main"})[0] == 400
    assert server.deliver("push", payload, headers={"X-GitHub-Delivery": ""})[0] == 400
    assert server.request("GET", "/nope")[0] == 404
    assert jobs(server.state) == []
    log = server.log_text()
    assert SECRET not in log and "zen" not in log  # no secret, no payload in the log
    statuses = [r["status"] for r in server.records if r["event"] == "webhook"]
    assert statuses == [200, 401, 401, 401, 401, 400, 400, 400, 400]


def test_oversized_body_refused_before_it_is_read(server: Server) -> None:
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(b"POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"X-GitHub-Event: push\r\nX-GitHub-Delivery: big-1\r\nX-Hub-Signature-256: sha256=00\r\n"
                     + f"Content-Length: {25 * 1024 * 1024 + 1}\r\n\r\n".encode() + b"{" * 1024)
        answer = sock.recv(4096).decode()
    assert answer.startswith("HTTP/1.1 413"), answer
    # Exactly 25 MB is not refused for its size (it is refused for its signature).
    status, _ = server.deliver("push", None, body=b" " * (25 * 1024 * 1024))
    assert status == 400  # signed, so only "not JSON" is left


def test_replayed_delivery_queues_once_even_after_a_restart(server: Server, tmp_path: Path) -> None:
    payload = push("acme/one", NO_SUCH_INSTALLATION, "2" * 40)
    status, answer = server.deliver("push", payload, delivery="d-replay")
    assert status == 202 and len(answer["jobs"]) == 1
    assert server.deliver("push", payload, delivery="d-replay") == (200, {"delivery": "d-replay", "duplicate": True})
    assert server.stop() == 0
    assert any(r["event"] == "stopped" for r in server.records)
    server.start()
    assert server.deliver("push", payload, delivery="d-replay")[0] == 200
    assert [j["delivery"] for j in jobs(server.state)] == ["d-replay"]
    # The App is not installed there: the job fails for good, with the reason.
    rows = wait_jobs(server.state, lambda rows: rows[0]["state"] == "failed", 30, server)
    assert "installation 999999: not found" in rows[0]["reason"]


def test_push_elsewhere_needs_no_job_and_newer_push_supersedes(server: Server) -> None:
    assert server.deliver("push", push("acme/one", NO_SUCH_INSTALLATION, "3" * 40, ref="refs/heads/topic"))[0] == 200
    assert server.deliver("push", push("acme/one", NO_SUCH_INSTALLATION, "0" * 40))[0] == 200  # branch deleted
    assert jobs(server.state) == []
    # One run an hour for this installation (ECO_APP_JOBS_PER_HOUR=1): the first runs (and
    # fails), the next ones wait; a newer push of the same repository supersedes a waiting one.
    assert server.deliver("push", push("acme/one", NO_SUCH_INSTALLATION, "4" * 40))[0] == 202
    wait_jobs(server.state, lambda rows: rows[0]["state"] == "failed", 30, server)
    assert server.deliver("push", push("acme/two", NO_SUCH_INSTALLATION, "5" * 40))[0] == 202
    assert server.deliver("push", push("acme/two", NO_SUCH_INSTALLATION, "6" * 40))[0] == 202
    time.sleep(1.5)  # workers poll twice a second: give them the chance to (wrongly) start one
    rows = jobs(server.state)
    assert [(r["head_sha"][:1], r["state"]) for r in rows] == [("4", "failed"), ("5", "cancelled"), ("6", "queued")]
    assert rows[1]["reason"].startswith("superseded by delivery")
    # /eco stop from an outsider is ignored; from a collaborator it cancels, and a reply is queued.
    stop = issue_comment("acme/two", NO_SUCH_INSTALLATION, 3, "/eco stop", association="NONE")
    assert server.deliver("issue_comment", stop)[0] == 200
    assert jobs(server.state)[2]["state"] == "queued"
    stop = issue_comment("acme/two", NO_SUCH_INSTALLATION, 3, "/eco stop", association="COLLABORATOR")
    status, answer = server.deliver("issue_comment", stop)
    assert status == 202 and answer["cancelled"] == 1
    rows = jobs(server.state)
    assert rows[2]["state"] == "cancelled"
    assert rows[3]["kind"] == "comment" and rows[3]["body"] == "eco stopped 1 job(s) on acme/two."


def test_uninstall_cancels_and_pull_request_closed_is_recorded(server: Server) -> None:
    ledger = PullLedger(server.state / "pulls.sqlite")
    ledger.record_opened("acme/one", 7, "eco/pkg.words-shout_all-x", "pkg/words.py", "shout_all", "h" * 16, "p")
    closed = pull_request_closed("acme/one", NO_SUCH_INSTALLATION, 7, "eco/pkg.words-shout_all-x", merged=True)
    assert server.deliver("pull_request", closed)[0] == 200
    other = pull_request_closed("acme/one", NO_SUCH_INSTALLATION, 8, "feature/x", merged=False)
    assert server.deliver("pull_request", other)[0] == 200
    assert [(e.number, e.state) for e in ledger.entries("acme/one")] == [(7, "merged")]
    created = installation_created(NO_SUCH_INSTALLATION, "acme", ["acme/one", "acme/two", "acme/three"])
    status, answer = server.deliver("installation", created)
    assert status == 202 and len(answer["jobs"]) == 3
    wait_jobs(server.state, lambda rows: rows[0]["state"] == "failed", 30, server)  # one run an hour
    deleted = {**created, "action": "deleted"}
    status, answer = server.deliver("installation", deleted)
    assert status == 200
    rows = wait_jobs(server.state, lambda rows: all(r["state"] in ("failed", "cancelled") for r in rows), 30, server)
    assert sorted(r["state"] for r in rows) == ["cancelled", "cancelled", "failed"]


def test_healthz_fails_when_the_queue_is_gone(server: Server) -> None:
    assert server.request("GET", "/healthz")[0] == 200
    os.remove(server.state / "queue.sqlite")
    assert server.request("GET", "/healthz")[0] == 503
    # A job that cannot be recorded is not acknowledged: GitHub may redeliver it.
    status, answer = server.deliver("push", push("acme/one", NO_SUCH_INSTALLATION, "7" * 40))
    assert status == 503 and answer["message"] == "cannot record the delivery (StateError)"


def test_second_server_on_the_same_state_and_missing_settings(server: Server, github_standin: GitHubStandin,
                                                              tmp_path: Path) -> None:
    def run(env: dict[str, str], state: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "eco", "serve", "--port", "0", "--state", str(state)],
                              env=env, capture_output=True, text=True, timeout=60)

    done = run(server.env, server.state)
    assert done.returncode == 2
    assert done.stderr.strip() == f"eco: error: {server.state}: another eco serve is using this state directory"
    env = {k: v for k, v in server.env.items() if k != "ECO_WEBHOOK_SECRET"}
    done = run(env, tmp_path / "other")
    assert (done.returncode, done.stderr.strip()) == (
        2, "eco: error: ECO_WEBHOOK_SECRET (or ECO_WEBHOOK_SECRET_FILE) is not set")
    done = run({**server.env, "ECO_APP_PRIVATE_KEY": "/no/such/key.pem"}, tmp_path / "other")
    assert (done.returncode, done.stderr.strip()) == (
        2, "eco: error: ECO_APP_PRIVATE_KEY: neither PEM text nor a readable file")
    assert "Traceback" not in done.stderr
