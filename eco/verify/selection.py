"""Which tests exercise a function: found once on the baseline with coverage contexts.

One instrumented run of the suite serves every target: coverage records, per line of
the files of interest, the node ids of the tests that executed it.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

from coverage import CoverageData

from eco.sandbox import Limits, import_path, run_sandboxed
from eco.verify.testrun import is_pytest, test_argv

#: file → line → node ids of the tests that ran it
LineContexts = dict[str, dict[int, frozenset[str]]]


def line_contexts(project_dir: Path, command: str, files: Sequence[str], limits: Limits) -> LineContexts | None:
    """Per-line test node ids for ``files``; None when it cannot be known.

    It cannot be known when the test command is not ``python -m pytest`` or the
    instrumented run fails; callers then run the whole suite.
    """
    argv = test_argv(command)
    if not files or not is_pytest(argv) or argv[1:3] != ["-m", "pytest"]:
        return None
    targets = {file: (project_dir / file).resolve() for file in dict.fromkeys(files)}
    with tempfile.TemporaryDirectory(prefix="eco-cov-") as tmp:
        data_file = Path(tmp) / "coverage"
        include = ",".join(str(path) for path in targets.values())
        run = [argv[0], "-m", "coverage", "run", f"--data-file={data_file}", f"--include={include}",
               "-m", "pytest", *argv[3:], "-p", "eco.verify.coverage_plugin"]
        result = run_sandboxed(run, cwd=project_dir, limits=limits,
                               extra_env={"PYTHONPATH": import_path(project_dir)}, writable=[Path(tmp)])
        if result.timed_out or result.returncode not in (0, 1) or not data_file.exists():
            return None
        data = CoverageData(basename=str(data_file))
        data.read()
        found: LineContexts = {}
        for file, path in targets.items():
            by_line = data.contexts_by_lineno(str(path))
            found[file] = {line: frozenset(c for c in contexts if c) for line, contexts in by_line.items()}
    return found


def tests_for(contexts: LineContexts, file: str, lines: tuple[int, int]) -> tuple[str, ...]:
    """Node ids of the tests that ran any line of ``file`` within ``lines`` (inclusive)."""
    first, last = lines
    found: set[str] = set()
    for line, nodes in contexts.get(file, {}).items():
        if first <= line <= last:
            found.update(nodes)
    return tuple(sorted(found))


def covering_tests(project_dir: Path, command: str, file: str, lines: tuple[int, int],
                   limits: Limits) -> tuple[str, ...] | None:
    """Node ids of the tests that run any line of ``file`` within ``lines``; None when unknown."""
    contexts = line_contexts(project_dir, command, [file], limits)
    return None if contexts is None else tests_for(contexts, file, lines)
