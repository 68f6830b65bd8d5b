"""Diff mode: the functions a change touches, ranked by the profile.

``git diff -U0 BASE..HEAD`` gives the changed line ranges of the new side; a function is
touched when one of them falls in its span (the innermost function holding the line, so a
change inside a nested function touches that one, not its parent). A pure deletion
touches the function that held the deleted lines. Spans come from the files as they are at
the diff's new side, read from git, not from the working tree.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from eco.errors import ConfigError
from eco.profile.mapping import DEFAULT_EXCLUDE, RepoMap
from eco.profile.records import HotFunction, Profile
from eco.pysource import FunctionDef, parse_functions

_HUNK = re.compile(rb"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")


@dataclass(frozen=True)
class ChangedFunction:
    """A function the diff touches, as it is on the diff's new side."""

    file: str
    qualname: str
    #: First line of its span (first decorator), as ``co_firstlineno``.
    line: int
    #: Changed lines of the new side inside the function (a deletion marks the line before it).
    changed_lines: tuple[int, ...]


def _git(root: Path, args: Sequence[str]) -> bytes:
    try:
        result = subprocess.run(["git", *args], cwd=root, capture_output=True, check=False, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ConfigError(f"git {' '.join(args)} could not run in {root}: {exc}") from exc
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ConfigError(f"--diff: git {' '.join(args)} failed: {message[-1] if message else 'no output'}")
    return result.stdout


def _new_side(rev_range: str) -> str | None:
    """The revision whose files the diff's new side shows (None: the working tree)."""
    for sep in ("...", ".."):
        if sep in rev_range:
            head = rev_range.split(sep, 1)[1]
            return head or "HEAD"
    return None


def changed_lines(root: Path, rev_range: str) -> dict[str, list[int]]:
    """Repository-relative ``.py`` path → changed lines on the new side of ``rev_range``.

    ``rev_range`` is ``BASE..HEAD``, ``BASE...HEAD`` (from the merge base), or a single
    revision (compared with the working tree).
    """
    if not rev_range or rev_range.startswith("-"):
        raise ConfigError(f"--diff {rev_range!r}: expected BASE..HEAD")
    out = _git(root, ["-c", "core.quotePath=false", "diff", "-U0", "--no-color", "--no-ext-diff",
                      "--diff-filter=d", rev_range, "--", "*.py"])
    changed: dict[str, list[int]] = {}
    current: list[int] | None = None
    for line in out.splitlines():
        if line.startswith(b"+++ "):
            name = line[4:].decode("utf-8", "replace").strip()
            if name.startswith('"') and name.endswith('"'):
                name = name[1:-1]
            current = changed.setdefault(name[2:], []) if name.startswith("b/") else None
            continue
        found = _HUNK.match(line)
        if found and current is not None:
            start = int(found.group(1))
            count = int(found.group(2)) if found.group(2) is not None else 1
            if count == 0:
                current.append(max(start, 1))  # lines deleted after `start`
            else:
                current.extend(range(start, start + count))
    return changed


def changed_functions(root: Path, rev_range: str, exclude: Sequence[str] = DEFAULT_EXCLUDE,
                      also_exclude: Sequence[str] = ()) -> list[ChangedFunction]:
    """Functions of the repository (tests and other excluded files aside) that the diff touches."""
    root = root.resolve()
    repo = RepoMap(root=root, exclude=tuple(exclude), also_exclude=frozenset(also_exclude))
    head = _new_side(rev_range)
    touched: list[ChangedFunction] = []
    for rel, lines in sorted(changed_lines(root, rev_range).items()):
        if repo.excluded(rel):
            continue
        source = _git(root, ["show", f"{head}:{rel}"]) if head else _read(root / rel)
        functions = parse_functions(source)
        hits: dict[int, list[int]] = {}
        for line in lines:
            fn = _innermost(functions, line)
            if fn is not None:
                hits.setdefault(functions.index(fn), []).append(line)
        for index in sorted(hits):
            fn = functions[index]
            touched.append(ChangedFunction(rel, fn.qualname, fn.start_line, tuple(sorted(set(hits[index])))))
    return touched


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""


def _innermost(functions: list[FunctionDef], line: int) -> FunctionDef | None:
    best = None
    for fn in functions:
        if fn.start_line <= line <= fn.end_line and (best is None or fn.start_line >= best.start_line):
            best = fn
    return best


def diff_targets(profile: Profile | None, changed: Sequence[ChangedFunction]) -> list[HotFunction]:
    """The changed functions as targets: those in the profile first, by share, then the
    rest with share 0 (they still need the workload to call them to be verified)."""
    by_key = {(f.file, f.qualname): f for f in profile.functions} if profile else {}
    ranked: list[HotFunction] = []
    cold: list[HotFunction] = []
    for fn in changed:
        hot = by_key.get((fn.file, fn.qualname))
        if hot is not None:
            ranked.append(hot)
        else:
            cold.append(HotFunction(file=fn.file, qualname=fn.qualname, line=fn.line,
                                    self_s=0.0, total_s=0.0, share=0.0, calls=0))
    ranked.sort(key=lambda h: (-h.share, h.file, h.line))
    return ranked + cold
