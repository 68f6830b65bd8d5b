"""speedscope JSON (https://www.speedscope.app/file-format-schema.json).

``shared.frames`` lists frames (``name``, optional ``file``, ``line``); each profile is
either *sampled* (``samples``: stacks of frame indices from the root, with ``weights``) or
*evented* (``events``: balanced ``O``/``C`` events ``at`` non-decreasing times). py-spy
writes sampled profiles whose frame lines are the lines being executed; pyinstrument writes
evented profiles whose frame lines are each function's first line.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from eco.errors import ProfileError
from eco.profile.resolve import Resolver
from eco.profile.tally import StackTally, Tally

_SECONDS = {"seconds": 1.0, "milliseconds": 1e-3, "microseconds": 1e-6, "nanoseconds": 1e-9}


def speedscope_tally(document: dict[str, Any], path: Path, resolver: Resolver) -> Tally:
    """Roll up every profile (thread) in a speedscope file."""
    shared = document.get("shared")
    frames = shared.get("frames") if isinstance(shared, dict) else None
    profiles = document.get("profiles")
    if not isinstance(frames, list) or not isinstance(profiles, list):
        raise ProfileError(f"{path}: not a speedscope file (no shared.frames or profiles)")
    units = {p.get("unit", "none") for p in profiles if isinstance(p, dict)}
    if "bytes" in units:
        raise ProfileError(f"{path}: a memory profile (unit bytes); eco ranks functions by time")
    timed = units <= set(_SECONDS)
    if not timed and units != {"none"}:
        raise ProfileError(f"{path}: speedscope profiles with mixed or unknown units {sorted(units)}")
    by_pyinstrument = str(document.get("exporter", "")).startswith("pyinstrument")
    tally = Tally(source=str(path), format="speedscope-pyinstrument" if by_pyinstrument else "speedscope",
                  unit="s" if timed else "samples")
    stacks = StackTally(resolver, tally, lines=not by_pyinstrument)
    ids: list[int] = []
    for frame in frames:
        if not isinstance(frame, dict) or not isinstance(frame.get("name"), str):
            raise ProfileError(f"{path}: not a speedscope file (a frame has no name)")
        line = frame.get("line")
        line = line if isinstance(line, int) else 0
        file = str(frame.get("file") or "")
        if by_pyinstrument:
            ids.append(stacks.frame(file, frame["name"], 0, line))
        else:
            ids.append(stacks.frame(file, frame["name"], line, 0))
    weights: dict[tuple[int, ...], float] = defaultdict(float)
    try:
        for profile in profiles:
            scale = _SECONDS.get(profile.get("unit", "none"), 1.0)
            kind = profile.get("type")
            if kind == "sampled":
                _sampled(profile, scale, weights)
            elif kind == "evented":
                _evented(profile, scale, weights, path)
            else:
                raise ProfileError(f"{path}: unknown speedscope profile type {kind!r}")
    except (IndexError, TypeError, KeyError, AttributeError) as exc:
        raise ProfileError(f"{path}: not a valid speedscope file ({type(exc).__name__}: {exc})") from exc
    lookup = ids.__getitem__
    try:
        for stack, weight in weights.items():
            if stack and min(stack) < 0:
                raise IndexError(f"frame index {min(stack)}")
            stacks.add(list(map(lookup, stack)), weight)
    except (IndexError, TypeError) as exc:
        raise ProfileError(f"{path}: not a valid speedscope file (a sample names no frame: {exc})") from exc
    stacks.finish()
    if tally.total <= 0:
        raise ProfileError(f"{path}: the profile is empty (no samples or events)")
    return tally


def _sampled(profile: dict[str, Any], scale: float, weights: dict[tuple[int, ...], float]) -> None:
    samples = profile["samples"]
    sample_weights = profile.get("weights") or [1.0] * len(samples)
    if len(sample_weights) != len(samples):
        raise IndexError("samples and weights differ in length")
    for sample, weight in zip(samples, sample_weights, strict=True):
        weights[tuple(sample)] += float(weight) * scale


def _evented(profile: dict[str, Any], scale: float, weights: dict[tuple[int, ...], float], path: Path) -> None:
    stack: list[int] = []
    last = float(profile.get("startValue", 0.0))
    for event in profile["events"]:
        at = float(event["at"])
        if stack and at > last:
            weights[tuple(stack)] += (at - last) * scale
        last = max(last, at)
        if event["type"] == "O":
            stack.append(int(event["frame"]))
        elif event["type"] == "C":
            if not stack or stack[-1] != int(event["frame"]):
                raise ProfileError(f"{path}: speedscope events are unbalanced (a close without its open)")
            stack.pop()
        else:
            raise ProfileError(f"{path}: unknown speedscope event type {event['type']!r}")
