"""cProfile / pstats files: a marshalled call graph, rolled up through its caller edges."""

from __future__ import annotations

import marshal
from pathlib import Path

from eco.errors import ProfileError
from eco.profile.resolve import Resolver
from eco.profile.rollup import FrameKey, FrameStats, rollup
from eco.profile.tally import Tally


def parse_pstats(data: bytes, path: Path) -> dict[FrameKey, FrameStats]:
    """Frames of a pstats file (as ``cProfile`` / ``Profile.dump_stats`` write it)."""
    try:
        raw = marshal.loads(data)
    except (EOFError, ValueError, TypeError) as exc:
        raise ProfileError(f"{path}: not a cProfile/pstats file, or a truncated one ({type(exc).__name__}: {exc})") from exc
    if not isinstance(raw, dict) or not all(_is_entry(k, v) for k, v in raw.items()):
        raise ProfileError(f"{path}: not a cProfile/pstats file (unexpected content)")
    if not raw:
        raise ProfileError(f"{path}: the profile is empty (no function was recorded)")
    frames: dict[FrameKey, FrameStats] = {}
    try:
        for (file, line, name), (cc, _nc, tt, ct, callers) in raw.items():
            key = (str(file), int(line), str(name))
            frames[key] = FrameStats(
                key=key,
                self_s=float(tt),
                total_s=float(ct),
                calls=int(cc),
                callers={
                    (str(c[0]), int(c[1]), str(c[2])): _edge(v) for c, v in callers.items()
                },
            )
    except (TypeError, ValueError, IndexError) as exc:
        raise ProfileError(f"{path}: not a cProfile/pstats file (unexpected content: {exc})") from exc
    return frames


def _edge(value: object) -> tuple[int, float]:
    # cProfile writes (calls, primitive calls, own time, cumulative time) per caller; the
    # pure-Python `profile` module writes a bare call count.
    if isinstance(value, tuple):
        return int(value[0]), float(value[2])
    return int(value), 0.0  # type: ignore[call-overload]


def pstats_tally(data: bytes, path: Path, resolver: Resolver) -> Tally:
    """Roll a pstats file up to repository functions (see `eco.profile.rollup`)."""
    frames = parse_pstats(data, path)
    owner_of = {key: resolver.resolve(key[0], key[2], first_line=key[1]) for key in frames}
    charged, unattributed = rollup(frames, lambda key: owner_of.get(key, -1) >= 0)
    tally = Tally(source=str(path), format="pstats", unit="s", has_calls=True)
    tally.total = sum(frame.self_s for frame in frames.values())
    tally.unattributed = unattributed
    for key, seconds in charged.items():
        tally.self_cost[owner_of[key]] += seconds
    for key, frame in frames.items():
        owner = owner_of[key]
        if owner < 0:
            if key[0] not in {"~", ""}:
                tally.unmapped[key[0]] += frame.self_s
            continue
        if resolver.owners[owner].fn.name == key[2]:
            # The function's own code object, not a comprehension or lambda inside it.
            tally.inclusive[owner] += frame.total_s
            tally.calls[owner] += frame.calls
    return tally


def _is_entry(key: object, value: object) -> bool:
    return (
        isinstance(key, tuple)
        and len(key) == 3
        and isinstance(value, tuple)
        and len(value) == 5
        and isinstance(value[4], dict)
    )
