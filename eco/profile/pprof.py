"""pprof profiles: ``profile.proto`` (github.com/google/pprof), usually gzipped.

What is read (field numbers from profile.proto):

    Profile   1 sample_type: ValueType   2 sample: Sample   4 location: Location
              5 function: Function       6 string_table     14 default_sample_type
    ValueType 1 type  2 unit                     (string table indices)
    Sample    1 location_id (leaf first)  2 value (one per sample type)
    Location  1 id  4 line: Line (inlined callees first, the caller last)
    Line      1 function_id  2 line
    Function  1 id  2 name  3 system_name  4 filename  5 start_line

Each sample contributes its value for one sample type: ``--sample-type`` (a type such as
``cpu`` or ``wall``, or ``type/unit``), else the profile's ``default_sample_type``, else
the first timed type named like cpu, then wall, then the last timed type, then the last
sample count (pprof itself defaults to the last type, which in multi-type profiles is
often memory).
"""

from __future__ import annotations

from pathlib import Path

from eco.errors import ProfileError
from eco.profile.protowire import WireError, fields, packed, signed
from eco.profile.resolve import Resolver
from eco.profile.tally import StackTally, Summary, Tally

_SECONDS = {"nanoseconds": 1e-9, "microseconds": 1e-6, "milliseconds": 1e-3, "seconds": 1.0}


def pprof_tally(data: bytes, path: Path, resolver: Resolver, sample_type: str | None = None) -> Tally:
    """Roll up one sample type of a pprof profile."""
    try:
        return _read(data, path, resolver, sample_type)
    except WireError as exc:
        raise ProfileError(f"{path}: not a valid pprof profile, or a truncated one ({exc})") from exc


def _read(data: bytes, path: Path, resolver: Resolver, sample_type: str | None) -> Tally:
    strings: list[str] = []
    types: list[tuple[int, int]] = []
    functions: dict[int, tuple[int, int, int, int]] = {}
    locations: dict[int, list[tuple[int, int]]] = {}
    default_type = 0
    samples = 0
    for number, wire, a, b in fields(data):
        if wire == 2:
            if number == 6:
                strings.append(data[a:b].decode("utf-8", "replace"))
            elif number == 1:
                types.append(_value_type(data, a, b))
            elif number == 5:
                fid, record = _function(data, a, b)
                functions[fid] = record
            elif number == 4:
                lid, lines = _location(data, a, b)
                locations[lid] = lines
            elif number == 2:
                samples += 1
        elif wire == 0 and number == 14:
            default_type = signed(a)
    if not types or not strings or strings[0] != "":
        raise ProfileError(f"{path}: not a pprof profile (no sample types or string table)")

    def string(index: int) -> str:
        return strings[index] if 0 <= index < len(strings) else ""

    named = [(string(t), string(u)) for t, u in types]
    index = _choose(named, sample_type, string(default_type) if default_type else None, path)
    unit_name = named[index][1]
    scale = _SECONDS.get(unit_name, 1.0)
    unit = "s" if unit_name in _SECONDS else ("samples" if unit_name == "count" else unit_name)
    if samples == 0:
        raise ProfileError(f"{path}: the profile is empty (no samples)")

    tally = Tally(source=str(path), format="pprof", unit=unit)
    stacks = StackTally(resolver, tally, lines=True)
    # Per location: its frames from the caller to the innermost inlined callee.
    frames_of: dict[int, tuple[int, ...]] = {}
    for lid, lines in locations.items():
        ids = []
        for function_id, line in reversed(lines):
            name_index, system_index, file_index, start = functions.get(function_id, (0, 0, 0, 0))
            name = string(name_index) or string(system_index)
            ids.append(stacks.frame(string(file_index), name, max(line, 0), max(start, 0)))
        frames_of[lid] = tuple(ids)

    summaries: dict[bytes, Summary] = {}
    saw_line = any(line > 0 for lines in locations.values() for _f, line in lines)
    for number, wire, a, b in fields(data):
        if number != 2 or wire != 2:
            continue
        stack_key = b""
        values: list[int] = []
        location_ids: list[int] = []
        for n, w, c, d in fields(data, a, b):
            if n == 1:
                if w == 2:
                    stack_key = data[c:d]
                    location_ids = packed(data, c, d)
                else:
                    location_ids.append(c)
                    stack_key += c.to_bytes(8, "little")
            elif n == 2:
                if w == 2:
                    values.extend(packed(data, c, d))
                else:
                    values.append(c)
        if index >= len(values):
            continue
        weight = signed(values[index]) * scale
        if weight <= 0:
            continue
        summary = summaries.get(stack_key)
        if summary is None:
            stack: list[int] = []
            for lid in reversed(location_ids):
                found = frames_of.get(lid)
                if found is None:
                    raise ProfileError(f"{path}: a sample names location {lid}, which the profile does not define")
                stack.extend(found)
            summary = summaries[stack_key] = stacks.summary(stack)
        stacks.charge(summary, weight)
    stacks.finish()
    tally.has_lines = saw_line
    if tally.total <= 0:
        raise ProfileError(f"{path}: the profile is empty (no {named[index][0]} samples with a value)")
    return tally


def _value_type(data: bytes, a: int, b: int) -> tuple[int, int]:
    kind = unit = 0
    for n, w, value, _ in fields(data, a, b):
        if w == 0 and n == 1:
            kind = value
        elif w == 0 and n == 2:
            unit = value
    return kind, unit


def _function(data: bytes, a: int, b: int) -> tuple[int, tuple[int, int, int, int]]:
    fid = name = system = file = start = 0
    for n, w, value, _ in fields(data, a, b):
        if w != 0:
            continue
        if n == 1:
            fid = value
        elif n == 2:
            name = value
        elif n == 3:
            system = value
        elif n == 4:
            file = value
        elif n == 5:
            start = signed(value)
    return fid, (name, system, file, start)


def _location(data: bytes, a: int, b: int) -> tuple[int, list[tuple[int, int]]]:
    lid = 0
    lines: list[tuple[int, int]] = []
    for n, w, c, d in fields(data, a, b):
        if n == 1 and w == 0:
            lid = c
        elif n == 4 and w == 2:
            function_id = line = 0
            for m, x, value, _ in fields(data, c, d):
                if x == 0 and m == 1:
                    function_id = value
                elif x == 0 and m == 2:
                    line = signed(value)
            lines.append((function_id, line))
    return lid, lines


def _choose(named: list[tuple[str, str]], wanted: str | None, default: str | None, path: Path) -> int:
    available = ", ".join(f"{t}/{u}" for t, u in named)
    if wanted:
        for i, (kind, unit) in enumerate(named):
            if wanted in (kind, f"{kind}/{unit}"):
                return i
        raise ProfileError(f"{path}: no sample type {wanted!r} (available: {available})")
    if default:
        for i, (kind, _unit) in enumerate(named):
            if kind == default:
                return i
    timed = [i for i, (_kind, unit) in enumerate(named) if unit in _SECONDS]
    for word in ("cpu", "wall"):
        for i in timed:
            if word in named[i][0]:
                return i
    if timed:
        return timed[-1]
    for i in range(len(named) - 1, -1, -1):
        if named[i][1] == "count":
            return i
    raise ProfileError(f"{path}: no sample type measures time or counts samples "
                       f"(available: {available}); choose one with --sample-type")
