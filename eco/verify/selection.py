"""Which tests exercise a function: found once on the baseline with coverage contexts."""

from __future__ import annotations

import tempfile
from pathlib import Path

from coverage import CoverageData

from eco.verify.sandbox import Limits, run_sandboxed
from eco.verify.testrun import import_path, is_pytest, test_argv


def covering_tests(project_dir: Path, command: str, file: str, lines: tuple[int, int],
                   limits: Limits) -> tuple[str, ...] | None:
    """Node ids of the tests that run any line of ``file`` within ``lines``.

    None when it cannot be known (the test command is not pytest, or coverage failed):
    callers then run the whole suite.
    """
    argv = test_argv(command)
    if not is_pytest(argv) or argv[1:3] != ["-m", "pytest"]:
        return None
    target = (project_dir / file).resolve()
    with tempfile.TemporaryDirectory(prefix="eco-cov-") as tmp:
        data_file = Path(tmp) / "coverage"
        run = [argv[0], "-m", "coverage", "run", f"--data-file={data_file}", f"--include={target}",
               "-m", "pytest", *argv[3:], "-p", "eco.verify.coverage_plugin"]
        result = run_sandboxed(run, cwd=project_dir, limits=limits,
                               extra_env={"PYTHONPATH": import_path(project_dir)})
        if result.timed_out or result.returncode not in (0, 1) or not data_file.exists():
            return None
        data = CoverageData(basename=str(data_file))
        data.read()
        by_line = data.contexts_by_lineno(str(target))
    first, last = lines
    found: set[str] = set()
    for line, contexts in by_line.items():
        if first <= line <= last:
            found.update(c for c in contexts if c)
    return tuple(sorted(found))
