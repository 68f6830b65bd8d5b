"""Running a repository's tests in a worktree and reading what happened.

For pytest commands eco adds ``--junitxml`` and reads the counts and failing test ids
from it; for any other command the exit status is all there is.
"""

from __future__ import annotations

import os
import shlex
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

from eco.errors import ConfigError
from eco.verify.records import TestRun
from eco.verify.sandbox import Limits, run_sandboxed

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


def import_path(project_dir: Path) -> str:
    """PYTHONPATH that makes the worktree's own packages win over installed copies."""
    roots = [project_dir]
    if (project_dir / "src").is_dir():
        roots.insert(0, project_dir / "src")
    return os.pathsep.join(str(r) for r in roots)


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
        junit = Path(tmp) / "junit.xml"
        if pytest:
            argv = [*argv, f"--junitxml={junit}", "-o", "junit_family=xunit2"]
            argv += [f"--deselect={node}" for node in deselect]
            argv += list(select)
        result = run_sandboxed(argv, cwd=project_dir, limits=limits,
                               extra_env={"PYTHONPATH": import_path(project_dir)})
        tail = (result.stdout + result.stderr)[-4000:]
        shown = " ".join(shlex.quote(a) for a in [Path(argv[0]).name, *argv[1:]] if not a.startswith("--junitxml"))
        if result.timed_out:
            return TestRun(command=shown, passed=0, failed=0, timed_out=True, output_tail=tail)
        if pytest and junit.exists():
            passed, failed, errors, skipped, failures = _read_junit(junit)
            if result.returncode not in (0, 1) and failed == 0 and errors == 0:
                errors = 1  # collection or usage error, internal error, interrupted
            return TestRun(command=shown, passed=passed, failed=failed, errors=errors, skipped=skipped,
                           failures=tuple(failures), output_tail=tail)
        ok = result.returncode == 0
        return TestRun(command=shown, passed=1 if ok else 0, failed=0 if ok else 1, output_tail=tail)


def _read_junit(path: Path) -> tuple[int, int, int, int, list[str]]:
    tree = ET.parse(path)
    passed = failed = errors = skipped = 0
    failures: list[str] = []
    for case in tree.iter("testcase"):
        kinds = {child.tag for child in case}
        node = _node_id(case)
        if "failure" in kinds:
            failed += 1
            failures.append(node)
        elif "error" in kinds:
            errors += 1
            failures.append(node)
        elif "skipped" in kinds:
            skipped += 1
        else:
            passed += 1
    for suite in tree.iter("testsuite"):  # collection errors have no testcase of their own
        declared = int(suite.get("errors", "0"))
        counted = sum(1 for case in suite.iter("testcase") if any(c.tag == "error" for c in case))
        errors += max(0, declared - counted)
    return passed, failed, errors, skipped, failures[:_MAX_FAILURES]


def _node_id(case: ET.Element) -> str:
    classname = case.get("classname", "")
    name = case.get("name", "")
    parts = classname.split(".")
    # pytest writes classname as dotted module path plus class; rebuild a node id.
    module_parts: list[str] = []
    cls_parts: list[str] = []
    for part in parts:
        (cls_parts if cls_parts or (part[:1].isupper()) else module_parts).append(part)
    path = "/".join(module_parts) + ".py" if module_parts else ""
    return "::".join(p for p in [path, *cls_parts, name] if p)
