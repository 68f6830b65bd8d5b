"""Structured logs: one JSON object per line on stderr, never a secret or a payload body.

Fields are chosen by the caller (event, delivery, installation, repo, job, state,
duration_s, ...). As a second line of defence every string value is scanned for the
secrets the logger was told about (webhook secret, private key, installation tokens as
they are minted) and any occurrence is replaced by ``[redacted]``.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from typing import Any, TextIO

REDACTED = "[redacted]"


class JsonLog:
    """A thread-safe JSON-lines logger."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream
        self._lock = threading.Lock()
        self._secrets: set[str] = set()

    def redact(self, *secrets: str) -> None:
        """Never print these strings (nor the PEM body lines of a key)."""
        with self._lock:
            for secret in secrets:
                if secret:
                    self._secrets.add(secret)
                    self._secrets.update(line for line in secret.splitlines() if len(line) >= 16)

    def _clean(self, value: Any) -> Any:
        if isinstance(value, str):
            for secret in self._secrets:
                if secret in value:
                    value = value.replace(secret, REDACTED)
            return value
        if isinstance(value, (int, float, bool)) or value is None:
            return value
        if isinstance(value, (list, tuple)):
            return [self._clean(v) for v in value]
        return self._clean(str(value))

    def __call__(self, event: str, **fields: Any) -> None:
        record = {"ts": round(time.time(), 3), "event": event}
        with self._lock:
            record.update({k: self._clean(v) for k, v in fields.items() if v is not None})
            line = json.dumps(record, ensure_ascii=False, sort_keys=False)
            stream = self._stream or sys.stderr
            try:
                stream.write(line + "\n")
                stream.flush()
            except (OSError, ValueError):
                pass  # a closed stderr must not take a worker down


__all__ = ["REDACTED", "JsonLog"]
