"""Loopback stand-ins for the OpenAI chat-completions and Anthropic messages services.

Each speaks the real wire format (JSON, or server-sent events when the request says
``"stream": true``: OpenAI's ``chat.completion.chunk`` lines ending in ``[DONE]``, with a
usage chunk only when ``stream_options.include_usage`` asks for it; Anthropic's
``message_start`` / ``content_block_*`` / ``message_delta`` / ``message_stop`` events; the
services' error bodies; the ``retry-after`` header) and checks every request the way the
service does: the auth header, the model, the message shape, the required fields. A
request the real service would refuse is answered with the service's 400/401 and recorded
in ``problems``.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

#: What a scripted step does: reply with texts, or fail with a status (and headers).
Step = tuple[str, Any]


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class LLMServer:
    kind: str  # "openai" or "anthropic"
    key: str
    #: Scripted steps, consumed first: ("texts", [...]) or ("error", (status, headers)).
    script: list[Step] = field(default_factory=list)
    #: Replies once the script is used up: request body -> texts.
    reply: Callable[[dict[str, Any]], list[str]] = lambda _body: ["no code here"]
    requests: list[Recorded] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    port: int = 0
    _server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}" + ("/v1" if self.kind == "openai" else "")

    def start(self) -> LLMServer:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", "0"))
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = None
                headers = {k.lower(): v for k, v in self.headers.items()}
                outer.requests.append(Recorded(self.path, headers, body if isinstance(body, dict) else {}))
                status, payload, extra = outer._handle(self.path, headers, body)
                if status == 200 and isinstance(body, dict) and body.get("stream") is True:
                    self.send_response(200)
                    self.send_header("content-type", "text/event-stream")
                    self.send_header("cache-control", "no-cache")
                    self.end_headers()
                    for event in outer._events(body, payload):
                        self.wfile.write(event.encode())
                        self.wfile.flush()
                    self.close_connection = True
                    return
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                for name, value in extra.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    # -- the service ---------------------------------------------------------------------

    def _error(self, status: int, kind: str, message: str, headers: dict[str, str] | None = None,
               record: bool = True) -> tuple[int, dict[str, Any], dict[str, str]]:
        if record:
            self.problems.append(f"{status} {message}")
        if self.kind == "openai":
            return status, {"error": {"message": message, "type": kind, "param": None, "code": None}}, headers or {}
        return status, {"type": "error", "error": {"type": kind, "message": message}}, headers or {}

    def _handle(self, path: str, headers: dict[str, str], body: Any) -> tuple[int, dict[str, Any], dict[str, str]]:
        if not isinstance(body, dict):
            return self._error(400, "invalid_request_error", "body is not a JSON object")
        if self.kind == "openai":
            if path != "/v1/chat/completions":
                return self._error(404, "invalid_request_error", f"unknown path {path}")
            if headers.get("authorization") != f"Bearer {self.key}":
                return self._error(401, "invalid_request_error", "Incorrect API key provided")
            problem = _check_openai(body)
        else:
            if path != "/v1/messages":
                return self._error(404, "not_found_error", f"unknown path {path}")
            # SDK 2.x sends the key as a bearer token; older ones as x-api-key. Both are accepted.
            if self.key not in (headers.get("x-api-key"), headers.get("authorization", "").removeprefix("Bearer ")):
                return self._error(401, "authentication_error", "invalid x-api-key")
            if not headers.get("anthropic-version"):
                return self._error(400, "invalid_request_error", "anthropic-version header is required")
            problem = _check_anthropic(body)
        if problem:
            return self._error(400, "invalid_request_error", problem)
        if self.script:
            what, arg = self.script.pop(0)
            if what == "error":
                status, extra = arg
                kind = "rate_limit_error" if status == 429 else "api_error"
                return self._error(status, kind, f"scripted {status}", extra, record=False)
            texts = list(arg)
        else:
            texts = self.reply(body)
        return 200, self._ok(body, texts), {}

    def _ok(self, body: dict[str, Any], texts: list[str]) -> dict[str, Any]:
        if self.kind == "openai":
            n = body.get("n", 1)
            chosen = [texts[i % len(texts)] for i in range(n)]
            return {
                "id": "chatcmpl-eco", "object": "chat.completion", "created": int(time.time()),
                "model": body["model"], "system_fingerprint": None,
                "choices": [{"index": i, "message": {"role": "assistant", "content": t, "refusal": None},
                             "logprobs": None, "finish_reason": "stop"} for i, t in enumerate(chosen)],
                "usage": {"prompt_tokens": 100, "completion_tokens": 20 * n, "total_tokens": 100 + 20 * n},
            }
        return {
            "id": "msg_eco", "type": "message", "role": "assistant", "model": body["model"],
            "content": [{"type": "text", "text": texts[0]}], "stop_reason": "end_turn",
            "stop_sequence": None, "usage": {"input_tokens": 100, "output_tokens": 20},
        }


    def _events(self, body: dict[str, Any], whole: dict[str, Any]) -> list[str]:
        """The streamed form of the reply ``whole``, as the service sends it."""
        if self.kind == "openai":
            return _openai_events(body, whole)
        return _anthropic_events(whole)


def _pieces(text: str, size: int = 7) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


def _openai_events(body: dict[str, Any], whole: dict[str, Any]) -> list[str]:
    base = {"id": whole["id"], "object": "chat.completion.chunk", "created": whole["created"],
            "model": whole["model"], "system_fingerprint": None}
    include_usage = bool((body.get("stream_options") or {}).get("include_usage"))

    def chunk(choices: list[dict[str, Any]], usage: Any = None) -> str:
        data = {**base, "choices": choices}
        if include_usage:
            data["usage"] = usage
        return f"data: {json.dumps(data)}\n\n"

    out = []
    for choice in whole["choices"]:
        i = choice["index"]
        out.append(chunk([{"index": i, "delta": {"role": "assistant", "content": ""}, "logprobs": None,
                           "finish_reason": None}]))
        for piece in _pieces(choice["message"]["content"]):
            out.append(chunk([{"index": i, "delta": {"content": piece}, "logprobs": None, "finish_reason": None}]))
        out.append(chunk([{"index": i, "delta": {}, "logprobs": None, "finish_reason": "stop"}]))
    if include_usage:
        out.append(chunk([], whole["usage"]))
    out.append("data: [DONE]\n\n")
    return out


def _anthropic_events(whole: dict[str, Any]) -> list[str]:
    def event(name: str, data: dict[str, Any]) -> str:
        return f"event: {name}\ndata: {json.dumps({'type': name, **data})}\n\n"

    usage = whole["usage"]
    start = {**whole, "content": [], "stop_reason": None,
             "usage": {"input_tokens": usage["input_tokens"], "output_tokens": 1}}
    text = whole["content"][0]["text"]
    out = [event("message_start", {"message": start}),
           event("content_block_start", {"index": 0, "content_block": {"type": "text", "text": ""}}),
           event("ping", {})]
    out += [event("content_block_delta", {"index": 0, "delta": {"type": "text_delta", "text": piece}})
            for piece in _pieces(text)]
    out += [event("content_block_stop", {"index": 0}),
            event("message_delta", {"delta": {"stop_reason": "end_turn", "stop_sequence": None},
                                    "usage": {"output_tokens": usage["output_tokens"]}}),
            event("message_stop", {})]
    return out


def _check_openai(body: dict[str, Any]) -> str:
    if not isinstance(body.get("model"), str) or not body["model"]:
        return "you must provide a model parameter"
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return "'messages' must be a non-empty array"
    for m in messages:
        if not isinstance(m, dict) or m.get("role") not in ("system", "developer", "user", "assistant"):
            return f"invalid message {m!r}"
        if not isinstance(m.get("content"), str):
            return "message content must be a string"
    n = body.get("n", 1)
    if not isinstance(n, int) or not 1 <= n <= 128:
        return f"invalid n {n!r}"
    t = body.get("temperature", 1)
    if not isinstance(t, int | float) or not 0 <= t <= 2:
        return f"invalid temperature {t!r}"
    if "stream" in body and not isinstance(body["stream"], bool):
        return f"invalid stream {body['stream']!r}"
    if "stream_options" in body and not body.get("stream"):
        return "The 'stream_options' parameter is only allowed when 'stream' is enabled."
    stop = body.get("stop")
    if stop is not None and not (isinstance(stop, str) or (isinstance(stop, list) and len(stop) <= 4)):
        return "'stop' must be a string or at most 4 strings"
    return ""


def _check_anthropic(body: dict[str, Any]) -> str:
    if not isinstance(body.get("model"), str) or not body["model"]:
        return "model: Field required"
    if not isinstance(body.get("max_tokens"), int) or body["max_tokens"] < 1:
        return "max_tokens: Field required"
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return "messages: at least one message is required"
    if messages[0].get("role") != "user":
        return "messages: first message must use the user role"
    for m in messages:
        if m.get("role") not in ("user", "assistant"):
            return f"messages: unexpected role {m.get('role')!r} (system goes in the top-level field)"
    if "system" in body and not isinstance(body["system"], str | list):
        return "system: must be a string or a list of blocks"
    t = body.get("temperature", 1)
    if not isinstance(t, int | float) or not 0 <= t <= 1:
        return f"temperature: {t!r} must be between 0 and 1"
    if "stream" in body and not isinstance(body["stream"], bool):
        return "stream: Input should be a valid boolean"
    return ""
