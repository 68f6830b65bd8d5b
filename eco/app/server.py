"""`eco serve`: the webhook endpoint, ``/healthz``, and the workers, in one process.

Status codes (DESIGN.md): 413 for a body over 25 MB (refused from ``Content-Length``,
before reading it; 411 when a body comes without one), 401 for a missing or wrong
``X-Hub-Signature-256``, 400 for a delivery without event or id headers or whose body
is not a JSON object of the event's shape, 200 for a delivery id already recorded (a
redelivery changes nothing) and for events that need no job, 202 once the delivery's
jobs are committed to the queue, 503 when the queue cannot be written.

GitHub signs only the body, with no timestamp, so "stale" is judged by content, not by
clock: a redelivered id is a no-op, a push whose commit is no longer the head of the
default branch when its job starts is skipped as superseded (and a newer push cancels
queued runs of the same repository), and an uninstall cancels what was queued.

SIGTERM or SIGINT: stop accepting, finish the responses in flight, claim no new job, and
exit; a job still running stays ``running`` in the queue and is run again on the next
start (at-least-once; its steps are idempotent).
"""

from __future__ import annotations

import fcntl
import json
import os
import signal
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from eco.app import signature
from eco.app.events import BadPayload, Decision, route
from eco.app.logs import JsonLog
from eco.app.queue import COMMENT, JobQueue, JobSpec
from eco.app.settings import AppSettings
from eco.app.tokens import TokenCache
from eco.app.worker import Runner, Workers, run_job
from eco.errors import ConfigError
from eco.publish.ledger import PullLedger

#: GitHub caps webhook payloads at 25 MB; anything larger is not from GitHub.
MAX_BODY = 25 * 1024 * 1024


class App:
    """The server's parts, shared by the request handlers."""

    def __init__(self, settings: AppSettings, state: Path, log: JsonLog, runner: Runner = run_job) -> None:
        self.settings = settings
        self.state = state
        self.log = log
        self.queue = JobQueue(state / "queue.sqlite", lease_s=settings.lease_s, max_attempts=settings.max_attempts,
                              retry_base_s=settings.retry_base_s, per_installation=settings.per_installation,
                              jobs_per_hour=settings.jobs_per_hour)
        self.ledger = PullLedger(state / "pulls.sqlite")
        self.tokens = TokenCache(settings.app_id, settings.private_key, settings.api_url, on_mint=log.redact)
        self.workers = Workers(self.queue, runner, settings, self.tokens, state, self.ledger, log)

    def handle_delivery(self, event: str, delivery: str, payload: Any) -> tuple[int, dict[str, Any], Decision | None]:
        """Route one verified delivery and record it; returns the status and a JSON answer."""
        if self.queue.seen(delivery):
            return 200, {"delivery": delivery, "duplicate": True}, None
        decision = route(event, payload)
        if decision.closed is not None:
            closed = decision.closed
            known = self.ledger.record_closed(closed.repo, closed.number, closed.merged)
            accepted = self.queue.accept(delivery, event, outcome=f"ledger: #{closed.number} "
                                         f"{'merged' if closed.merged else 'closed'} ({'known' if known else 'unknown'})")
            return 200, {"delivery": delivery, "duplicate": accepted.duplicate, "recorded": known}, decision
        accepted = self.queue.accept(delivery, event, decision.specs, outcome=decision.note, cancel=decision.cancel,
                                     supersede=decision.supersede)
        if accepted.duplicate:
            return 200, {"delivery": delivery, "duplicate": True}, decision
        jobs = list(accepted.job_ids)
        if decision.stop_reply is not None and decision.installation_id is not None and decision.repo:
            body = f"eco stopped {accepted.cancelled} job(s) on {decision.repo}."
            jobs.append(self.queue.enqueue(JobSpec(kind=COMMENT, installation_id=decision.installation_id,
                                                   repo=decision.repo, issue_number=decision.stop_reply,
                                                   body=body), delivery))
        answer = {"delivery": delivery, "jobs": jobs, "cancelled": accepted.cancelled, "note": decision.note}
        return (202 if jobs else 200), answer, decision


def _handler(app: App) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "eco-app"
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass  # JSON logs instead of the stdlib's access log

        def _answer(self, status: int, document: dict[str, Any], close: bool = False) -> None:
            body = (json.dumps(document) + "\n").encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            if close:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            if self.path.split("?", 1)[0] != "/healthz":
                self._answer(404, {"message": "Not Found"})
                return
            if app.queue.readable():
                self._answer(200, {"status": "ok"})
            else:
                self._answer(503, {"status": "queue unreadable"})

        def do_POST(self) -> None:
            started = time.monotonic()
            event = self.headers.get("X-GitHub-Event", "")
            delivery = self.headers.get("X-GitHub-Delivery", "")
            status, document, decision = self._webhook(event, delivery)
            fields: dict[str, Any] = {"delivery": delivery or None, "gh_event": event or None, "status": status}
            if decision is not None:
                fields.update(installation=decision.installation_id, repo=decision.repo, note=decision.note)
            if "jobs" in document:
                fields["jobs"] = document["jobs"]
            if status >= 400:
                fields["error"] = document.get("message")
            app.log("webhook", **fields, duration_s=round(time.monotonic() - started, 4))

        def _webhook(self, event: str, delivery: str) -> tuple[int, dict[str, Any], Decision | None]:
            if self.path.split("?", 1)[0] != "/webhook":
                self._answer(404, {"message": "Not Found"}, close=True)
                return 404, {"message": "Not Found"}, None
            length_header = self.headers.get("Content-Length")
            if length_header is None or not length_header.isdigit():
                document = {"message": "Content-Length required"}
                self._answer(411, document, close=True)
                return 411, document, None
            length = int(length_header)
            if length > MAX_BODY:
                document = {"message": f"payload over {MAX_BODY} bytes"}
                self._answer(413, document, close=True)  # the body is never read
                return 413, document, None
            body = self._read(length)
            if body is None:
                document = {"message": "body shorter than Content-Length"}
                self._answer(400, document, close=True)
                return 400, document, None
            if not signature.verify(app.settings.webhook_secret, body, self.headers.get("X-Hub-Signature-256")):
                document = {"message": "missing or wrong X-Hub-Signature-256"}
                self._answer(401, document)
                return 401, document, None
            if not event or not delivery or len(delivery) > 200:
                document = {"message": "X-GitHub-Event and X-GitHub-Delivery are required"}
                self._answer(400, document)
                return 400, document, None
            payload = _payload(body, self.headers.get("Content-Type", ""))
            if payload is None:
                document = {"message": "body is not a JSON object"}
                self._answer(400, document)
                return 400, document, None
            try:
                status, document, decision = app.handle_delivery(event, delivery, payload)
            except BadPayload as exc:
                document = {"message": f"{event} payload: {exc}"}
                self._answer(400, document)
                return 400, document, None
            except Exception as exc:  # the queue or ledger file (StateError, sqlite3.Error): 503, GitHub may redeliver
                document = {"message": f"cannot record the delivery ({type(exc).__name__})"}
                self._answer(503, document)
                return 503, document, None
            self._answer(status, document)
            return status, document, decision

        def _read(self, length: int) -> bytes | None:
            chunks: list[bytes] = []
            left = length
            while left > 0:
                chunk = self.rfile.read(min(left, 1 << 20))
                if not chunk:
                    return None
                chunks.append(chunk)
                left -= len(chunk)
            return b"".join(chunks)

    return Handler


def _payload(body: bytes, content_type: str) -> dict[str, Any] | None:
    """The delivery's JSON object: ``application/json``, or the form-encoded ``payload=``
    GitHub sends when a webhook is configured with ``application/x-www-form-urlencoded``."""
    try:
        text = body.decode("utf-8")
        if content_type.split(";", 1)[0].strip() == "application/x-www-form-urlencoded":
            text = parse_qs(text).get("payload", [""])[0]
        value = json.loads(text)
    except (UnicodeDecodeError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def lock_state(state: Path) -> int:
    """Hold an exclusive lock on ``state/serve.lock`` for the life of the process.

    Raises:
        ConfigError: Another `eco serve` holds it.
    """
    state.mkdir(parents=True, exist_ok=True)
    fd = os.open(state / "serve.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise ConfigError(f"{state}: another eco serve is using this state directory") from None
    return fd


def serve(settings: AppSettings, host: str, port: int, state: Path, log: JsonLog,
          runner: Runner = run_job, ready: Callable[[str], None] | None = None) -> int:
    """Run until SIGTERM/SIGINT; returns the exit code."""
    import importlib.util

    missing = [name for name in ("jwt", "cryptography", "github") if importlib.util.find_spec(name) is None]
    if missing:
        raise ConfigError(f"eco serve needs {', '.join(missing)}: pip install 'eco[github]'")
    state = state.resolve()
    lock = lock_state(state)
    os.chmod(state, 0o700)
    app = App(settings, state, log, runner)
    requeued = app.queue.recover()
    try:
        server = ThreadingHTTPServer((host, port), _handler(app))
    except OSError as exc:
        app.queue.close()
        os.close(lock)
        raise ConfigError(f"{host}:{port}: cannot listen ({exc.strerror or exc})") from None
    server.daemon_threads = False  # server_close() waits for responses in flight
    stop = threading.Event()

    def on_signal(signum: int, _frame: object) -> None:
        log("signal", signal=signal.Signals(signum).name)
        stop.set()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    thread = threading.Thread(target=server.serve_forever, name="eco-http", daemon=True)
    thread.start()
    app.workers.start()
    url = f"http://{host}:{server.server_address[1]}"
    log("listening", url=url, state=str(state), workers=settings.workers, requeued=requeued)
    if ready is not None:
        ready(url)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        app.workers.stop()
        server.shutdown()
        server.server_close()
        for s, handler in previous.items():
            signal.signal(s, handler)
        log("stopped", url=url)
        os.close(lock)
    return 0


__all__ = ["MAX_BODY", "App", "lock_state", "serve"]
