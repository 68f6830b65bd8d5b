"""Profile stage: a workload or profile files in, repository functions ranked by cost out.

Entry points: `profile_workload` runs a workload under cProfile (or pyinstrument, whose
session files carry line numbers) and returns the profile's path; `load_profile` reads
profile files of any supported format (pstats, pyinstrument session or JSON report,
speedscope, collapsed stacks, pprof: `eco.profile.formats`), rolls their time up to
repository functions the way ECO localizes cost (`eco.profile.rollup`,
`eco.profile.tally`) and merges many into one ranking (`eco.profile.build`);
`changed_functions` and `diff_targets` keep the targets a diff touches (`eco.profile.diff`).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from eco.errors import WorkloadError
from eco.profile.diff import ChangedFunction, changed_functions, diff_targets
from eco.profile.formats import FORMATS
from eco.profile.load import load_profile
from eco.profile.mapping import DEFAULT_EXCLUDE, RepoMap
from eco.profile.records import HotFunction, Profile, ReadOptions
from eco.profile.workload import DEFAULT_WORKLOAD, PROFILERS, profiler_flag, python_argv
from eco.sandbox import Limits, import_path, run_sandboxed

__all__ = [
    "DEFAULT_EXCLUDE",
    "DEFAULT_WORKLOAD",
    "FORMATS",
    "PROFILERS",
    "ChangedFunction",
    "HotFunction",
    "Profile",
    "ReadOptions",
    "RepoMap",
    "changed_functions",
    "diff_targets",
    "load_profile",
    "profile_workload",
    "profiler_flag",
    "python_argv",
    "workload_script",
]


def workload_script(command: str, root: Path) -> str | None:
    """The repository-relative path of the workload's script, which is never a target."""
    argv = python_argv(command, root)
    if argv and argv[0] not in {"-m", "-c"}:
        path = Path(argv[0]).resolve()
        try:
            return path.relative_to(root.resolve()).as_posix()
        except ValueError:
            return None
    return None


def profile_workload(
    root: Path, command: str, out: Path, timeout_s: float = 1800.0, capture_spec: Path | None = None,
    profiler: str = "cprofile",
) -> Path:
    """Run ``command`` in ``root`` under cProfile, write the pstats file to ``out``.

    The workload runs in a subprocess with a scrubbed environment (no secrets) and a
    timeout. With ``capture_spec`` it runs under the call-capturing tracer instead.
    Where `eco.sandbox.filesystem_isolation_available`, it may write only in ``root``,
    its temporary HOME and private /tmp, and where the profile or the captured calls go;
    a workload that writes elsewhere (an absolute output path outside the project) fails
    with a read-only file system error.
    """

    argv = python_argv(command, root)
    out.parent.mkdir(parents=True, exist_ok=True)
    launcher = [sys.executable, "-m", "eco.profile.launch"]
    writable = [out.parent]
    if capture_spec is not None:
        launcher += ["--capture", str(capture_spec)]
        writable += _capture_dirs(capture_spec)
    else:
        launcher += [profiler_flag(profiler), str(out)]  # pyinstrument writes a session file
    # The repository's own packages come first, ahead of any installed copy of them.
    result = run_sandboxed(
        [*launcher, "--", *argv], cwd=root, limits=Limits(timeout_s=timeout_s, memory_mb=None, network=True),
        extra_env={"PYTHONPATH": import_path(root)}, writable=writable,
    )
    if result.timed_out:
        raise WorkloadError(f"workload {command!r} did not finish within {timeout_s:.0f} s")
    if result.returncode != 0:
        raise WorkloadError(
            f"workload {command!r} failed in {root} (exit {result.returncode}): {_failure(result.stderr or result.stdout, root)}"
        )
    if capture_spec is None and not out.exists():
        raise WorkloadError(f"workload {command!r} wrote no profile")
    return out


def _capture_dirs(spec: Path) -> list[Path]:
    """Where the capture run writes: the spec's directory and its database's (the tracer
    replaces the database atomically, so the whole directory must be writable)."""
    dirs = [spec.parent]
    try:
        db = json.loads(spec.read_text(encoding="utf-8")).get("db")
    except (OSError, ValueError, AttributeError):
        return dirs  # the tracer reports a bad spec itself, without breaking the workload
    if isinstance(db, str) and db:
        dirs.append(Path(db).parent)
    return dirs


def _failure(output: str, root: Path) -> str:
    """The last line of a failure's output, with where it happened when a traceback says."""
    lines = [line for line in output.strip().splitlines() if line.strip()]
    if not lines:
        return "no output"
    last = lines[-1].strip()
    for line in reversed(lines[:-1]):
        found = re.match(r'\s*File "([^"]+)", line (\d+)', line)
        if found:
            path = Path(found.group(1))
            try:
                shown = path.resolve().relative_to(root.resolve()).as_posix()
            except ValueError:
                shown = str(path)
            return f"{last} ({shown}:{found.group(2)})"
    return last

