"""Reading cProfile / pstats files into frame statistics."""

from __future__ import annotations

import marshal
import pstats
from pathlib import Path

from eco.errors import ProfileError
from eco.profile.rollup import FrameKey, FrameStats


def read_pstats(path: Path) -> dict[FrameKey, FrameStats]:
    """Frames of a pstats file (as written by ``cProfile`` / ``Profile.dump_stats``)."""
    if not path.exists():
        raise ProfileError(f"{path}: no such profile file")
    if path.is_dir():
        raise ProfileError(f"{path}: is a directory, not a profile file")
    try:
        with path.open("rb") as handle:
            raw = marshal.load(handle)
    except (EOFError, ValueError, TypeError, OSError) as exc:
        raise ProfileError(f"{path}: not a cProfile/pstats file ({type(exc).__name__}: {exc})") from exc
    if not isinstance(raw, dict) or not all(_is_entry(k, v) for k, v in raw.items()):
        raise ProfileError(f"{path}: not a cProfile/pstats file (unexpected content)")
    if not raw:
        raise ProfileError(f"{path}: the profile is empty (no function was recorded)")
    stats = pstats.Stats(str(path))
    frames: dict[FrameKey, FrameStats] = {}
    for key, (cc, _nc, tt, ct, callers) in stats.stats.items():  # type: ignore[attr-defined]
        file, line, name = key
        frames[(str(file), int(line), str(name))] = FrameStats(
            key=(str(file), int(line), str(name)),
            self_s=float(tt),
            total_s=float(ct),
            calls=int(cc),
            callers={
                (str(c[0]), int(c[1]), str(c[2])): (int(v[0]), float(v[2])) for c, v in callers.items()
            },
        )
    return frames


def _is_entry(key: object, value: object) -> bool:
    return (
        isinstance(key, tuple)
        and len(key) == 3
        and isinstance(value, tuple)
        and len(value) == 5
        and isinstance(value[4], dict)
    )
