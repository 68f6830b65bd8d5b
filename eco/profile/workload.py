"""Turning a workload command into something eco can run under its own launcher."""

from __future__ import annotations

import importlib.util
import os
import re
import shlex
import shutil
import sys
from pathlib import Path

from eco.errors import WorkloadError

_PYTHON = re.compile(r"^python(\d(\.\d+)?)?$")

#: What eco profiles when a repository names no workload: its own test suite.
DEFAULT_WORKLOAD = "python -m pytest -q -x -p no:cacheprovider"


def python_argv(command: str, cwd: Path) -> list[str]:
    """The arguments that follow ``python`` for ``command``.

    ``python x.py a`` → ``["x.py", "a"]``; ``python -m pkg`` → ``["-m", "pkg"]``;
    ``pytest -q`` → ``["-m", "pytest", "-q"]``; a console script whose shebang is Python
    runs as that script. Anything else is not a Python program and is refused.
    """
    try:
        words = shlex.split(command)
    except ValueError as exc:
        raise WorkloadError(f"workload {command!r} cannot be parsed: {exc}") from exc
    if not words:
        raise WorkloadError("the workload command is empty")
    head, rest = words[0], words[1:]
    if _PYTHON.match(os.path.basename(head)) or os.path.realpath(head) == os.path.realpath(sys.executable):
        if not rest:
            raise WorkloadError(f"workload {command!r} names no script or module to run")
        for flag in ("-m", "-c"):
            if rest[0] == flag:
                return rest
        if rest[0].startswith("-"):
            raise WorkloadError(f"workload {command!r}: python option {rest[0]} is not supported; use `python script.py` or `python -m module`")
        script = cwd / rest[0]
        if not script.is_file():
            raise WorkloadError(f"workload {command!r}: script {rest[0]} not found in {cwd}")
        return [str(script), *rest[1:]]
    if head in {"pytest", "py.test"}:
        return ["-m", "pytest", *rest]
    found = shutil.which(head, path=os.environ.get("PATH")) if "/" not in head else str(cwd / head)
    if found and Path(found).is_file() and _is_python_script(Path(found)):
        return [found, *rest]
    raise WorkloadError(
        f"workload {command!r} is not a Python command; eco profiles Python programs "
        "(`python script.py ...`, `python -m module ...`, or a Python console script)"
    )


def _is_python_script(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            first = handle.readline(200)
    except OSError:
        return False
    return first.startswith(b"#!") and b"python" in first


#: Profilers a workload can run under; pyinstrument is an optional extra (eco[profilers]).
PROFILERS = ("cprofile", "pyinstrument")


def profiler_flag(profiler: str) -> str:
    """The launcher flag for ``profiler``; a missing optional profiler says how to install it."""
    if profiler not in PROFILERS:
        raise WorkloadError(f"unknown profiler {profiler!r} (choose from {', '.join(PROFILERS)})")
    if profiler == "pyinstrument" and importlib.util.find_spec("pyinstrument") is None:
        raise WorkloadError("profiler pyinstrument is not installed: pip install 'eco[profilers]'")
    return f"--{profiler}"
