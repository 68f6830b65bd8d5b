"""Running a repository's tests in a worktree and reading what happened.

For pytest commands eco loads its own small plugin (`eco.verify.results_plugin`) and
reads exact node ids and outcomes from it; for any other command the exit status is all
there is.
"""

from __future__ import annotations

import json
import os
import shlex
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from eco.errors import ConfigError
from eco.sandbox import Limits, import_path, run_sandboxed
from eco.verify.records import TestRun

_MAX_FAILURES = 20


def test_argv(command: str) -> list[str]:
    """The test command as an argv; a leading ``python`` is this interpreter."""
    try:
        words = shlex.split(command)
    except ValueError as exc:
        raise ConfigError(f"test_command {command!r} cannot be parsed: {exc}") from exc
    if not words:
        raise ConfigError("test_command is empty")
    if os.path.basename(words[0]).startswith("python"):
        words[0] = sys.executable
    elif words[0] in {"pytest", "py.test"}:
        words = [sys.executable, "-m", "pytest", *words[1:]]
    return words


def is_pytest(argv: Sequence[str]) -> bool:
    return "pytest" in argv[:3] or any(os.path.basename(a) in {"pytest", "py.test"} for a in argv[:1])


def run_tests(
    project_dir: Path,
    command: str,
    limits: Limits,
    select: Sequence[str] = (),
    deselect: Sequence[str] = (),
) -> TestRun:
    """Run ``command`` in ``project_dir`` (sandboxed) and summarise the outcome."""
    argv = test_argv(command)
    pytest = is_pytest(argv)
    with tempfile.TemporaryDirectory(prefix="eco-tests-") as tmp:
        results = Path(tmp) / "results.json"
        if pytest:
            argv = [*argv, "-p", "eco.verify.results_plugin"]
            argv += [f"--deselect={node}" for node in deselect]
            argv += list(select)
        # The results file is written by the child: its directory must be bound writable
        # (under bubblewrap the child's /tmp is private, so the parent would not see it).
        result = run_sandboxed(argv, cwd=project_dir, limits=limits,
                               extra_env={"PYTHONPATH": import_path(project_dir),
                                          "ECO_TEST_RESULTS": str(results)},
                               writable=[Path(tmp)])
        tail = (result.stdout + result.stderr)[-4000:]
        shown = command
        if result.timed_out:
            return TestRun(command=shown, passed=0, failed=0, timed_out=True, output_tail=tail)
        if pytest and results.exists():
            data = json.loads(results.read_text(encoding="utf-8"))
            outcomes: dict[str, str] = data["outcomes"]
            passed = sum(1 for o in outcomes.values() if o == "passed")
            failed = sum(1 for o in outcomes.values() if o == "failed")
            skipped = sum(1 for o in outcomes.values() if o == "skipped")
            errors = sum(1 for o in outcomes.values() if o == "error") + len(data["collection_errors"])
            failures = [n for n, o in outcomes.items() if o in {"failed", "error"}] + data["collection_errors"]
            if result.returncode not in (0, 1) and failed == 0 and errors == 0:
                errors = 1  # usage error, internal error, interrupted, no tests collected
            return TestRun(command=shown, passed=passed, failed=failed, errors=errors, skipped=skipped,
                           failures=tuple(failures[:_MAX_FAILURES]), output_tail=tail)
        ok = result.returncode == 0
        return TestRun(command=shown, passed=1 if ok else 0, failed=0 if ok else 1, output_tail=tail)
