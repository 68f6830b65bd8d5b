"""Equivalence: replay captured calls on the baseline and on the candidate, then compare.

`replay` runs `eco.verify.replay_worker` in a sandbox with the project as working
directory; the worker imports the function from the project, calls it once per captured
call and writes canonical outcomes as JSON, so eco never unpickles what the code under
test produced. `compare` lines up two replays call by call: return value or exception,
and every argument as it was after the call.

Any failure (worker crash, timeout, import error, arguments that no longer bind) is a
`ReplayOutcome` with ``ok=False``, and `compare` turns it into at least one mismatch: a
replay that did not happen can never pass.
"""

from __future__ import annotations

import json
import pickle
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eco.errors import SourceError
from eco.pysource import module_name_for
from eco.sandbox import Limits, eco_import_path, last_line, run_sandboxed
from eco.verify.compare import describe, difference
from eco.verify.records import Equivalence

__all__ = ["ReplayOutcome", "compare", "replay", "worker_argv"]


@dataclass(frozen=True)
class ReplayOutcome:
    """One side's replay."""

    ok: bool
    #: One line saying why the replay failed (empty when ok).
    error: str
    #: Per call: ``{"returned", "raised", "args", "kwargs"}`` of canonical forms.
    results: list[Any]


def worker_argv(project_dir: Path, file: str, qualname: str, prefix: str = "--") -> list[str]:
    """The target flags both workers take (``--project``, ``--module``, ``--import-root``,
    ``--qualname``; the benchmark worker spells them ``--eco-project``...).

    Raises:
        SourceError: when no module name can be derived for ``file``.
    """
    module, root = module_name_for(project_dir / file, project_dir)
    return [
        f"{prefix}project",
        str(project_dir.resolve()),
        f"{prefix}module",
        module,
        f"{prefix}import-root",
        str(root),
        f"{prefix}qualname",
        qualname,
    ]


def replay(
    project_dir: Path,
    file: str,
    qualname: str,
    calls: list[bytes],
    out_dir: Path,
    limits: Limits,
) -> ReplayOutcome:
    """Call ``file::qualname`` from ``project_dir`` on each captured call, sandboxed.

    Args:
        project_dir: The tree to import from (baseline or candidate worktree).
        file: Repository-relative path of the function's file.
        qualname: Dotted qualname (``func`` or ``Class.method``).
        calls: Pickled ``(args, kwargs)`` blobs from `eco.capture.CaptureStore.calls`.
        out_dir: Scratch directory for the calls file and the worker's JSON.
        limits: Sandbox limits for the whole replay.
    """
    try:
        target_flags = worker_argv(project_dir, file, qualname)
    except SourceError as exc:
        return ReplayOutcome(False, str(exc), [])
    out_dir.mkdir(parents=True, exist_ok=True)
    calls_path = out_dir / "replay-calls.pickle"
    # The only place the worker may write (under bubblewrap): a fresh directory of its
    # own, so nothing it leaves there reaches the next replay that uses ``out_dir``.
    result_dir = out_dir / "result"
    shutil.rmtree(result_dir, ignore_errors=True)
    result_dir.mkdir()
    result_path = result_dir / "replay-result.json"
    calls_path.write_bytes(pickle.dumps(list(calls), protocol=pickle.HIGHEST_PROTOCOL))
    argv = [
        sys.executable,
        "-P",
        "-m",
        "eco.verify.replay_worker",
        *target_flags,
        "--calls",
        str(calls_path.resolve()),
        "--out",
        str(result_path.resolve()),
    ]
    # -P keeps the working directory (the project) off sys.path until the worker has
    # imported eco; the worker then puts the project's import root first itself.
    env = {"PYTHONPATH": eco_import_path(out_dir / "pythonpath")}
    # The calls file and eco's import path stay read-only: a candidate cannot plant a
    # module (sitecustomize...) there for the next replay to import.
    run = run_sandboxed(argv, project_dir, limits, env, writable=[result_dir], readable=[out_dir])
    if run.timed_out:
        return ReplayOutcome(False, f"replay timed out after {limits.timeout_s:g}s", [])
    if not result_path.is_file():
        return ReplayOutcome(
            False, "replay worker failed: " + last_line(run.stderr, f"exit status {run.returncode}"), []
        )
    try:
        document = json.loads(result_path.read_text(encoding="utf-8"))
        ok, error, results = bool(document["ok"]), str(document["error"]), document["results"]
        if not isinstance(results, list):
            raise TypeError("results is not a list")
    except (ValueError, KeyError, TypeError) as exc:
        return ReplayOutcome(False, f"replay worker wrote an unreadable result: {exc}", [])
    captured = sum(1 for r in results if _label(r) is None)
    if ok and (captured != len(calls) or any(_label(r) is None for r in results[len(calls):])):
        return ReplayOutcome(
            False, f"replay worker returned {captured} of {len(calls)} calls", []
        )
    return ReplayOutcome(ok, error, results if ok else [])


def compare(
    baseline: ReplayOutcome,
    candidate: ReplayOutcome,
    rel_tol: float = 0.0,
    abs_tol: float = 0.0,
) -> Equivalence:
    """Compare two replays call by call.

    Floats must be identical (NaN equals NaN) unless a tolerance is given (``math.isclose``):
    a rewrite that changes rounding changes results, and the captured inputs rarely show
    how much (reassociating a compensated sum differs by 1e-15 on ordinary inputs and by
    the whole answer on cancelling ones). Derived calls (see `eco.verify.replay_worker`)
    are compared in full where the baseline returned; where it raised, the input is outside
    the function's domain, so which exception the candidate raises (or whether it returns)
    is not compared, but when both raise, what each left in the arguments is.

    A failed replay on either side counts every call (at least one) as a mismatch.
    ``inputs`` is the number of captured calls replayed; zero means nothing was shown.
    """
    if not baseline.ok:
        n = max(1, len(candidate.results))
        return Equivalence(0, n, first_mismatch=f"baseline replay failed: {baseline.error}")
    n = sum(1 for b in baseline.results if _label(b) is None)
    if not candidate.ok:
        return Equivalence(
            n, max(1, n), first_mismatch=f"candidate replay failed: {candidate.error}"
        )
    labels_b = [_label(b) for b in baseline.results]
    labels_c = [_label(c) for c in candidate.results]
    if labels_b != labels_c:
        return Equivalence(
            n,
            max(1, n),
            first_mismatch=f"{len(labels_b)} calls replayed on baseline, {len(labels_c)} on candidate",
        )
    mismatches = derived = 0
    first = ""
    for index, (b, c) in enumerate(zip(baseline.results, candidate.results, strict=True)):
        what = _label(b)
        if what is not None:
            if b.get("raised") is not None and (not isinstance(c, dict) or c.get("raised") is None):
                continue
            derived += 1
        if what is not None and b.get("raised") is not None:
            # Both raised on an input the baseline rejects: which exception is not compared,
            # what each did to the arguments before raising is.
            found = _argument_difference(b, c, rel_tol, abs_tol)
        else:
            found = _call_difference(b, c, rel_tol, abs_tol)
        if found:
            mismatches += 1
            if not first:
                first = f"derived input ({what}): {found}" if what else f"call {index + 1}: {found}"
                if rel_tol == 0.0 and _call_difference(b, c, 1e-9, 1e-12) is None:
                    first += ("; only float rounding differs (under 1e-9 relative), and floats must be "
                              "identical unless [tool.eco] float_tolerance allows it")
    return Equivalence(inputs=n, mismatches=mismatches, first_mismatch=first, derived=derived)


def _label(result: Any) -> str | None:
    """A derived call's description; None for a captured call (or a malformed result,
    which `_call_difference` reports)."""
    return result.get("derived") if isinstance(result, dict) else None


def _outcome(result: dict[str, Any]) -> str:
    raised = result.get("raised")
    if raised:
        return f"raised {str(raised.get('type', '')).rsplit('.', 1)[-1]}({raised.get('message', '')!r})"
    return f"returned {describe(result.get('returned'))}"


def _call_difference(b: Any, c: Any, rel_tol: float, abs_tol: float) -> str | None:
    if not isinstance(b, dict) or not isinstance(c, dict):
        return "malformed replay result"
    b_raised, c_raised = b.get("raised"), c.get("raised")
    if (b_raised is None) != (c_raised is None) or b_raised != c_raised:
        return f"{_outcome(b)} on baseline, {_outcome(c)} on candidate"
    if b_raised is None:
        found = difference(b.get("returned"), c.get("returned"), rel_tol, abs_tol)
        if found:
            returned_b, returned_c = describe(b.get("returned")), describe(c.get("returned"))
            return f"returned {returned_b} on baseline, {returned_c} on candidate ({found})"
    return _argument_difference(b, c, rel_tol, abs_tol)


def _argument_difference(b: Any, c: Any, rel_tol: float, abs_tol: float) -> str | None:
    found = difference(b.get("args"), c.get("args"), rel_tol, abs_tol)
    if found:
        return _argument(found)
    found = difference(b.get("kwargs"), c.get("kwargs"), rel_tol, abs_tol)
    if found:
        return f"keyword arguments mutated differently: {found}"
    return None


def _argument(found: str) -> str:
    """``"[0][2]: 1 != 2"`` -> ``"argument 0 mutated differently at [2]: 1 != 2"``."""
    if found.startswith("[") and "]" in found:
        index, rest = found[1:].split("]", 1)
        if index.isdigit():
            if rest.startswith(":"):
                return f"argument {index} mutated differently{rest}"
            return f"argument {index} mutated differently at {rest}"
    return f"arguments mutated differently: {found}"
