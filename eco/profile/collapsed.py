"""Collapsed ("folded") stacks: one ``root;caller;leaf COUNT`` line per stack.

Brendan Gregg's format, written by ``py-spy record -f raw``, austin, and ``perf script``
piped through ``stackcollapse``. Frames are read in whichever spelling the tool used:

* py-spy: ``function (file:line)``;
* austin: ``file:function:line`` after ``P<pid>;T<thread>`` frames, with ``# mode:`` and
  other metadata lines; its counts are microseconds (``wall``/``cpu`` mode);
* perf with Python's trampolines: ``py::function:file``;
* anything else: a bare function name, which maps to nothing.

The file is streamed: 1 million samples take seconds, and memory stays bounded by the
number of distinct frames and parent stacks, not by the file's size.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from eco.errors import ProfileError
from eco.profile.resolve import Resolver
from eco.profile.sources import Reader
from eco.profile.tally import StackTally, Tally

_PYSPY = re.compile(r"^(.*) \((.*?)(?::(\d+))?\)$")
_AUSTIN_MODES = {"wall": 1e-6, "cpu": 1e-6}

Summary = tuple[int, int, tuple[int, ...], str]


def parse_frame(text: str) -> tuple[str, str, int]:
    """(file, function, line) of one collapsed frame; line 0 when not recorded."""
    if text.endswith(")"):
        found = _PYSPY.match(text)
        if found:
            return found.group(2), found.group(1), int(found.group(3) or 0)
    if text.startswith("py::"):
        name, _, file = text[4:].partition(":")
        return file, name, 0
    parts = text.rsplit(":", 2)
    if len(parts) == 3 and parts[2].isdigit():
        return parts[0], parts[1], int(parts[2])
    return "", text, 0


def collapsed_tally(reader: Reader, resolver: Resolver) -> Tally:
    """Stream a collapsed-stack file into a `Tally`."""
    path = reader.path
    tally = Tally(source=str(path), format="collapsed", unit="samples")
    stacks = StackTally(resolver, tally, lines=True)
    owner_of, line_of, file_of = stacks.owner, stacks.line, stacks.file
    frame_ids: dict[str, int] = {}
    parents: dict[str, Summary] = {"": (-1, 0, (), "")}
    scale = 1.0
    saw_line = False
    add = stacks.add_summary

    def frame_id(text: str) -> int:
        nonlocal saw_line
        found = frame_ids.get(text)
        if found is None:
            file, name, line = parse_frame(text)
            saw_line = saw_line or line > 0
            found = frame_ids[text] = stacks.frame(file, name, line)
        return found

    def parent_summary(text: str) -> Summary:
        found = parents.get(text)
        if found is None:
            found = parents[text] = stacks.summary([frame_id(f) for f in text.split(";")])
        return found

    number = 0
    for lines in _lines(reader):
        for line in lines:
            number += 1
            if not line or line[0] == "#":
                if line.startswith("# mode:"):
                    mode = line.partition(":")[2].strip()
                    if mode not in _AUSTIN_MODES:
                        raise ProfileError(f"{path}: an austin {mode} profile; eco ranks functions by time (use wall or cpu mode)")
                    scale = _AUSTIN_MODES[mode]
                    tally.unit = "s"
                continue
            stack, space, count = line.rstrip().rpartition(" ")
            try:
                weight = float(count) if "," not in count else float(count.partition(",")[0])
            except ValueError:
                weight = -1.0
            if not space or weight < 0:
                raise ProfileError(f"{path}:{number}: not a collapsed-stack line (`frame;frame COUNT`); truncated or not this format")
            if not stack:  # a sample with no Python frames (py-spy: idle or failed)
                add((-1, 0, (), ""), weight * scale)
                continue
            parent, _, leaf_text = stack.rpartition(";")
            up = parent_summary(parent)
            leaf = frame_id(leaf_text)
            owner = owner_of[leaf]
            if owner >= 0:
                present = up[2] if owner in up[2] else (*up[2], owner)
                add((owner, line_of[leaf], present, ""), weight * scale)
            else:
                add((up[0], up[1], up[2], file_of[leaf]), weight * scale)
    tally.has_lines = saw_line
    if tally.total <= 0:
        raise ProfileError(f"{path}: the profile is empty (no samples)")
    return tally


def _lines(reader: Reader) -> Iterator[list[str]]:
    """Decoded lines, a chunk at a time (the last line may lack its newline)."""
    pending = b""
    for chunk in reader.chunks():
        data = pending + chunk
        cut = data.rfind(b"\n") + 1
        pending = data[cut:]
        yield data[:cut].decode("utf-8", "replace").splitlines()
    if pending:
        yield pending.decode("utf-8", "replace").splitlines()
