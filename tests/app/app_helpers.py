"""Helpers for the App tests: a real `eco serve` subprocess, signed deliveries, GitHub-shaped payloads.

Not a test module (no ``test_`` prefix). Payload shapes follow GitHub's webhook
documentation (push, installation, issue_comment, pull_request), trimmed to the fields
GitHub always sends plus the ones eco reads.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

SECRET = "whsec-test-" + uuid.uuid4().hex


def signed(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class Server:
    """``python -m eco serve --port 0`` with its stderr (JSON lines) collected."""

    def __init__(self, state: Path, env: dict[str, str]) -> None:
        self.state = state
        self.env = env
        self.lines: list[str] = []
        self.proc: subprocess.Popen[str] | None = None
        self.url = ""

    def start(self, timeout: float = 30.0) -> Server:
        self.lines = []
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "eco", "serve", "--host", "127.0.0.1", "--port", "0", "--state", str(self.state)],
            env=self.env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
        self._pump_thread = threading.Thread(target=self._pump, args=(self.proc,), daemon=True)
        self._pump_thread.start()
        record = self.wait_for(lambda r: r.get("event") == "listening", timeout)
        self.url = record["url"]
        return self

    def _pump(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            self.lines.append(line)

    @property
    def records(self) -> list[dict[str, Any]]:
        out = []
        for line in list(self.lines):
            try:
                out.append(json.loads(line))
            except ValueError:
                out.append({"event": "not-json", "line": line})
        return out

    def wait_for(self, predicate: Callable[[dict[str, Any]], bool], timeout: float = 60.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for record in self.records:
                if predicate(record):
                    return record
            if self.proc is not None and self.proc.poll() is not None:
                time.sleep(0.2)  # let the pump finish
                for record in self.records:
                    if predicate(record):
                        return record
                raise AssertionError(f"eco serve exited {self.proc.returncode}:\n{''.join(self.lines)}")
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting; log so far:\n{''.join(self.lines)}")

    def request(self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
                ) -> tuple[int, dict[str, Any]]:
        host, port = self.url.removeprefix("http://").split(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        try:
            conn.request(method, path, body=body if method != "GET" else None, headers=headers or {})
            response = conn.getresponse()
            data = response.read()
        finally:
            conn.close()
        try:
            document = json.loads(data) if data else {}
        except ValueError:
            document = {"raw": data.decode("utf-8", "replace")}
        return response.status, document

    def deliver(self, event: str, payload: Any, delivery: str | None = None, secret: str | None = SECRET,
                body: bytes | None = None, headers: dict[str, str] | None = None) -> tuple[int, dict[str, Any]]:
        raw = body if body is not None else json.dumps(payload).encode()
        sent = {"Content-Type": "application/json", "User-Agent": "GitHub-Hookshot/test",
                "X-GitHub-Event": event, "X-GitHub-Delivery": delivery or str(uuid.uuid4()),
                "X-GitHub-Hook-ID": "1"}
        if secret is not None:
            sent["X-Hub-Signature-256"] = signed(raw, secret)
        sent.update(headers or {})
        return self.request("POST", "/webhook", raw, sent)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30.0) -> int:
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        code = self.proc.wait(timeout)
        self._pump_thread.join(10)
        assert self.proc.stderr is not None
        self.proc.stderr.close()
        return code

    def close(self) -> None:
        if self.proc is not None and self.proc.stderr is not None and not self.proc.stderr.closed:
            self.stop(signal.SIGKILL)

    def log_text(self) -> str:
        return "".join(self.lines)


def server_env(api_url: str, app_id: int, private_key: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ECO_", "GITHUB_"))}
    env.update({"ECO_WEBHOOK_SECRET": SECRET, "ECO_APP_ID": str(app_id), "ECO_APP_PRIVATE_KEY": private_key,
                "GITHUB_API_URL": api_url, "ECO_GITHUB_WRITE_INTERVAL": "0", "ECO_APP_RETRY_BASE_S": "0.2"})
    env.update(extra)
    return env


def jobs(state: Path) -> list[dict[str, Any]]:
    """The queue's rows, read-only."""
    conn = sqlite3.connect(f"file:{state / 'queue.sqlite'}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute("SELECT * FROM jobs ORDER BY id")]
    finally:
        conn.close()


def wait_jobs(state: Path, predicate: Callable[[list[dict[str, Any]]], bool], timeout: float = 120.0,
              server: Server | None = None) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    rows: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        rows = jobs(state)
        if predicate(rows):
            return rows
        time.sleep(0.2)
    log = server.log_text() if server is not None else ""
    raise AssertionError(f"jobs never matched: {rows}\n{log}")


# -- payloads in GitHub's shapes -------------------------------------------------------

def _account(login: str, kind: str = "Organization") -> dict[str, Any]:
    return {"login": login, "id": abs(hash(login)) % 10**7, "node_id": "MDQ6VXNlcjE=", "type": kind,
            "site_admin": False, "url": f"https://api.github.com/users/{login}"}


def repository(full_name: str, default_branch: str = "main") -> dict[str, Any]:
    owner, name = full_name.split("/")
    return {"id": abs(hash(full_name)) % 10**8, "node_id": "R_kgDO", "name": name, "full_name": full_name,
            "private": True, "owner": _account(owner), "html_url": f"https://github.com/{full_name}",
            "fork": False, "url": f"https://api.github.com/repos/{full_name}", "default_branch": default_branch,
            "clone_url": f"https://github.com/{full_name}.git"}


def push(full_name: str, installation: int, after: str, ref: str = "refs/heads/main",
         before: str = "0" * 40) -> dict[str, Any]:
    return {"ref": ref, "before": before, "after": after, "created": False, "deleted": False, "forced": False,
            "base_ref": None, "compare": f"https://github.com/{full_name}/compare/{before[:12]}...{after[:12]}",
            "commits": [{"id": after, "message": "change", "distinct": True}],
            "head_commit": {"id": after, "message": "change", "timestamp": "2026-11-24T12:00:00Z"},
            "repository": repository(full_name), "pusher": {"name": "dev", "email": "dev@example.invalid"},
            "sender": _account("dev", "User"), "installation": {"id": installation, "node_id": "MDIzOkludGVn"}}


def installation_created(installation: int, account: str, repos: list[str]) -> dict[str, Any]:
    return {"action": "created",
            "installation": {"id": installation, "account": _account(account), "repository_selection": "selected",
                             "app_id": 1, "target_type": "Organization", "permissions": {"contents": "write"},
                             "events": ["push"]},
            "repositories": [{"id": i + 1, "node_id": "R_x", "name": r.split("/")[1], "full_name": r,
                              "private": True} for i, r in enumerate(repos)],
            "requester": None, "sender": _account("admin", "User")}


def issue_comment(full_name: str, installation: int, number: int, body: str, association: str = "OWNER",
                  sender_type: str = "User") -> dict[str, Any]:
    user = {**_account("maintainer", sender_type)}
    return {"action": "created",
            "issue": {"number": number, "title": "t", "state": "open", "user": user,
                      "pull_request": {"url": f"https://api.github.com/repos/{full_name}/pulls/{number}"}},
            "comment": {"id": 77, "body": body, "user": user, "author_association": association,
                        "created_at": "2026-11-24T12:00:00Z"},
            "repository": repository(full_name), "sender": user,
            "installation": {"id": installation, "node_id": "MDIzOkludGVn"}}


def pull_request_closed(full_name: str, installation: int, number: int, branch: str, merged: bool) -> dict[str, Any]:
    return {"action": "closed", "number": number,
            "pull_request": {"number": number, "state": "closed", "merged": merged, "title": "perf",
                             "head": {"ref": branch, "sha": "a" * 40, "repo": repository(full_name)},
                             "base": {"ref": "main", "sha": "b" * 40, "repo": repository(full_name)},
                             "user": _account("eco-app[bot]", "Bot")},
            "repository": repository(full_name), "sender": _account("maintainer", "User"),
            "installation": {"id": installation, "node_id": "MDIzOkludGVn"}}
