"""pyinstrument profiles: session files (``-r pyisession``, ``Session.save``) and JSON reports.

A session holds every sample: ``frame_records`` is a list of ``[stack, seconds]`` with the
stack from the root, each frame ``"function\\0file\\0first line"`` followed by attributes
after ``\\x01`` (``c`` the class name, ``l`` the executing line). The JSON report
(``-r json``) holds the call tree instead, each node's ``time`` including its children's;
pyinstrument has already merged small nodes into their parents there, and it keeps only
each function's first line.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from eco.errors import ProfileError
from eco.profile.resolve import Resolver
from eco.profile.tally import StackTally, Tally


def _frame_parts(identifier: str) -> tuple[str, str, int, int]:
    """(file, name, executing line, first line) of a session frame identifier."""
    head, *attributes = identifier.split("\x01")
    parts = head.split("\x00")
    if len(parts) != 3:
        return "", head, 0, 0
    function, file, first = parts
    cls, line = "", 0
    for attribute in attributes:
        if attribute.startswith("c"):
            cls = attribute[1:]
        elif attribute.startswith("l") and attribute[1:].isdigit():
            line = int(attribute[1:])
    first_line = int(first) if first.isdigit() else 0
    return file, f"{cls}.{function}" if cls else function, line, first_line


def session_tally(document: dict[str, Any], path: Path, resolver: Resolver) -> Tally:
    """Roll up a pyinstrument session's samples."""
    records = document.get("frame_records")
    if not isinstance(records, list):
        raise ProfileError(f"{path}: a pyinstrument session without frame_records")
    if not records:
        raise ProfileError(f"{path}: the profile is empty (the pyinstrument session has no samples)")
    has_lines = any("\x01l" in frame for record in records[:100] if _is_record(record) for frame in record[0])
    tally = Tally(source=str(path), format="pyinstrument-session", unit="s")
    stacks = StackTally(resolver, tally, lines=has_lines)
    ids: dict[str, int] = {}
    weights: dict[tuple[int, ...], float] = defaultdict(float)
    for record in records:
        if not _is_record(record):
            raise ProfileError(f"{path}: not a pyinstrument session (a frame record is not [stack, time])")
        stack = []
        for identifier in record[0]:
            fid = ids.get(identifier)
            if fid is None:
                fid = ids[identifier] = stacks.frame(*_frame_parts(identifier))
            stack.append(fid)
        weights[tuple(stack)] += float(record[1])
    for stack_ids, weight in weights.items():
        stacks.add(stack_ids, weight)
    stacks.finish()
    if has_lines:
        tally.warnings.append(
            f"{path}: pyinstrument samples when code calls or returns, so a loop that calls nothing "
            "shows its time on the line where it next calls or returns"
        )
    return tally


def _is_record(record: object) -> bool:
    return (
        isinstance(record, list) and len(record) == 2 and isinstance(record[0], list)
        and all(isinstance(f, str) for f in record[0]) and isinstance(record[1], int | float)
    )


def report_tally(document: dict[str, Any], path: Path, resolver: Resolver) -> Tally:
    """Roll up a pyinstrument JSON report's call tree: each node's own time is its time
    less its children's."""
    root = document.get("root_frame")
    if root is None:
        raise ProfileError(f"{path}: the profile is empty (the pyinstrument report has no frames)")
    tally = Tally(source=str(path), format="pyinstrument-json", unit="s")
    stacks = StackTally(resolver, tally, lines=False)
    todo: list[tuple[Any, tuple[int, ...]]] = [(root, ())]
    while todo:
        node, parent = todo.pop()
        if not isinstance(node, dict) or not isinstance(node.get("time"), int | float):
            raise ProfileError(f"{path}: not a pyinstrument report (a frame has no time)")
        function = str(node.get("function", ""))
        cls = node.get("class_name")
        name = f"{cls}.{function}" if cls else function
        line = node.get("line_no")
        stack = (*parent, stacks.frame(str(node.get("file_path") or ""), name, 0,
                                       line if isinstance(line, int) else 0))
        children = node.get("children") or []
        if not isinstance(children, list):
            raise ProfileError(f"{path}: not a pyinstrument report (children is not a list)")
        inner = sum(float(c.get("time", 0.0)) for c in children if isinstance(c, dict))
        stacks.add(stack, float(node["time"]) - inner)
        todo.extend((child, stack) for child in children)
    stacks.finish()
    if tally.total <= 0:
        raise ProfileError(f"{path}: the profile is empty (the pyinstrument report recorded no time)")
    return tally
