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
from collections import Counter
from collections.abc import Iterator
from typing import cast

from eco.errors import ProfileError
from eco.profile.resolve import Resolver
from eco.profile.sources import Reader
from eco.profile.tally import StackTally, Summary, Tally

_PYSPY = re.compile(r"^(.*) \((.*?)(?::(\d+))?\)$")
_AUSTIN_MODES = {"wall": 1e-6, "cpu": 1e-6}
#: Distinct lines held at once before they are charged (bounds memory on huge files).
_DISTINCT_LINES = 200_000



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
    """Stream a collapsed-stack file into a `Tally`.

    Identical lines are counted first, in C (austin and ``perf script`` write one line per
    sample, so most repeat); each distinct line is then split into its parent stack,
    summarised once per distinct parent, and its leaf frame; weights add up per
    (parent, leaf) pair and are charged once at the end.
    """
    path = reader.path
    tally = Tally(source=str(path), format="collapsed", unit="samples")
    stacks = StackTally(resolver, tally, lines=True)
    frame_ids: dict[str, int] = {}
    parent_ids: dict[str, int] = {"": 0}
    parents: list[Summary] = [(-1, 0, frozenset(), "")]
    weights: dict[tuple[int, int], float] = {}
    frameless = 0.0
    scale = 1.0
    saw_line = False

    def frame_id(text: str) -> int:
        nonlocal saw_line
        found = frame_ids.get(text)
        if found is None:
            file, name, line = parse_frame(text)
            saw_line = saw_line or line > 0
            found = frame_ids[text] = stacks.frame(file, name, line)
        return found

    owner_of, line_of = stacks.owner, stacks.line

    def summarise(parent: str) -> Summary:
        """`StackTally.summary` of a parent stack, with the per-frame work done in C."""
        parts = parent.split(";")
        found = list(map(frame_ids.get, parts))
        if None in found:
            ids = [frame_id(text) if fid is None else fid for fid, text in zip(found, parts, strict=True)]
        else:
            ids = cast(list[int], found)
        owners = list(map(owner_of.__getitem__, ids))
        present = set(owners)
        present.discard(-1)
        if not present:
            return (-1, 0, frozenset(), "")
        for k in range(len(owners) - 1, -1, -1):
            if owners[k] >= 0:
                return (owners[k], line_of[ids[k]], frozenset(present), "")
        raise AssertionError("unreachable")

    def bad(line: str) -> ProfileError:
        number = _line_number(reader, line)
        return ProfileError(f"{path}:{number}: not a collapsed-stack line (`frame;frame COUNT`); truncated or not this format")

    def charge(counts: Counter[str]) -> None:
        nonlocal scale, frameless
        for line, repeats in counts.items():
            if not line or line[0] == "#":
                if line.startswith("# mode:"):
                    mode = line.partition(":")[2].strip()
                    if mode not in _AUSTIN_MODES:
                        raise ProfileError(f"{path}: an austin {mode} profile; eco ranks functions by time (use wall or cpu mode)")
                    scale = _AUSTIN_MODES[mode]
                    tally.unit = "s"
                continue
            stack, space, count = line.rpartition(" ")
            if not count:
                stack, space, count = line.rstrip().rpartition(" ")
            try:
                weight = float(count) if "," not in count else float(count.partition(",")[0])
            except ValueError:
                raise bad(line) from None
            if not space or weight < 0:
                raise bad(line)
            weight *= repeats * scale
            if not stack:  # a sample with no Python frames (py-spy: idle or failed)
                frameless += weight
                continue
            parent, _, leaf = stack.rpartition(";")
            pid = parent_ids.get(parent)
            if pid is None:
                pid = parent_ids[parent] = len(parents)
                parents.append(summarise(parent))
            lid = frame_ids.get(leaf)
            if lid is None:
                lid = frame_id(leaf)
            key = (pid, lid)
            weights[key] = weights.get(key, 0.0) + weight

    # Identical lines are counted in C; each distinct line is then read once. The count is
    # flushed now and then so that memory stays bounded when few lines repeat.
    counts: Counter[str] = Counter()
    for lines in _lines(reader):
        counts.update(lines)
        if len(counts) > _DISTINCT_LINES:
            charge(counts)
            counts.clear()
    charge(counts)

    file_of = stacks.file
    for (pid, lid), weight in weights.items():
        up = parents[pid]
        owner = owner_of[lid]
        if owner >= 0:
            present = up[2] if owner in up[2] else up[2] | {owner}
            stacks.charge((owner, line_of[lid], present, ""), weight)
        else:
            stacks.charge((up[0], up[1], up[2], file_of[lid]), weight)
    stacks.charge((-1, 0, frozenset(), ""), frameless)
    stacks.finish()
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


def _line_number(reader: Reader, wanted: str) -> int:
    """The 1-based number of the first line equal to ``wanted`` (for error messages)."""
    number = 0
    for lines in _lines(reader):
        for line in lines:
            number += 1
            if line == wanted:
                return number
    return number
