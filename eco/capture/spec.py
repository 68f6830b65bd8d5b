"""The JSON spec that tells the tracer what to capture, and the command that runs it.

The workload process reads the spec (`eco.capture.tracer.start`); the parent writes it
with `write_spec` and wraps the workload's Python command with `capture_argv`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

__all__ = ["CaptureTarget", "capture_argv", "write_spec"]


@dataclass(frozen=True)
class CaptureTarget:
    """One function to capture, named the way its code object names itself."""

    #: Absolute path of the file (as the workload will import it).
    path: str
    #: ``co_firstlineno``: the first decorator's line for a decorated function.
    line: int
    #: ``co_name``.
    name: str
    #: Repository-relative path, the key in the capture file.
    file: str
    #: Dotted qualname, the key in the capture file.
    qualname: str


def write_spec(
    spec_path: Path,
    db: Path,
    targets: Sequence[CaptureTarget],
    *,
    max_calls: int = 64,
    max_call_bytes: int = 1 << 20,
    max_total_bytes: int = 16 << 20,
    max_seen: int | None = None,
) -> None:
    """Write the tracer's spec file (see `eco.capture.tracer.start` for the format).

    ``max_calls`` calls are stored per function: the first half, then a uniform sample of
    the later calls among its first ``max_seen`` (None: the tracer's default,
    ``100 * max_calls``), after which the tracer stops watching.
    """
    spec: dict[str, object] = {
        "db": str(Path(db).resolve()),
        "max_calls": max_calls,
        "max_call_bytes": max_call_bytes,
        "max_total_bytes": max_total_bytes,
        "targets": [asdict(t) for t in targets],
    }
    if max_seen is not None:
        spec["max_seen"] = max_seen
    Path(spec_path).write_text(json.dumps(spec, indent=2, sort_keys=True) + "\n", "utf-8")


def capture_argv(spec_path: Path, program: Sequence[str]) -> list[str]:
    """The command that runs a Python workload with capture on.

    Args:
        spec_path: Written by `write_spec`.
        program: What follows ``python`` in the workload command: ``["script.py", ...]``,
            ``["-m", "module", ...]`` or ``["-c", "code", ...]``.

    The child must be able to import eco (see `eco.sandbox.eco_import_path`).
    """
    return [sys.executable, "-m", "eco.capture", str(spec_path), *program]
