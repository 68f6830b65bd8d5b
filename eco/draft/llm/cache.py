"""Model responses cached on disk, keyed by model, sampling settings and prompt.

One JSON file per key under ``.eco/llm-cache/`` (``<sha256>.json``), written to a temporary
file and renamed into place, so concurrent runs never see half a file. A file that cannot
be read is a miss, not an error: the cache only ever saves calls. Format history:
version 1 (this one): ``{"version", "model", "texts", "input_tokens", "output_tokens"}``.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from eco.draft.llm.backend import Completion, Prompt

__all__ = ["ResponseCache", "cache_key"]

VERSION = 1


def cache_key(
    backend: str, model: str, prompt: Prompt, n: int, temperature: float, max_tokens: int
) -> str:
    """A stable hash of everything that decides a response."""
    fields: dict[str, object] = {
        "v": VERSION,
        "backend": backend,
        "model": model,
        "system": prompt.system,
        "user": prompt.user,
        "n": n,
        "temperature": temperature,
        "max_tokens": max_tokens,
    }
    if prompt.stop:  # only completion prompts have stops; chat prompts keep their old keys
        fields["stop"] = list(prompt.stop)
    payload = json.dumps(fields, sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class ResponseCache:
    """A directory of cached completions."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def get(self, key: str) -> Completion | None:
        path = self.directory / f"{key}.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("version") != VERSION:
            return None
        texts = data.get("texts")
        if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
            return None
        return Completion(tuple(texts))

    def put(self, key: str, model: str, completion: Completion) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        data = {
            "version": VERSION,
            "model": model,
            "texts": list(completion.texts),
            "input_tokens": completion.input_tokens,
            "output_tokens": completion.output_tokens,
        }
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, sort_keys=True)
                handle.write("\n")
            os.replace(tmp, self.directory / f"{key}.json")
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
