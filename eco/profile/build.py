"""From frame statistics to a ranked `Profile` of repository functions."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path

from eco.profile.mapping import RepoMap
from eco.profile.records import HotFunction, Profile
from eco.profile.rollup import FrameKey, FrameStats, rollup
from eco.pysource import FunctionDef, function_at_line, parse_functions


def build_profile(frames: Mapping[FrameKey, FrameStats], repo: RepoMap, source: str) -> Profile:
    """Roll time up to repository functions and rank them by share of the total."""
    functions: dict[str, list[FunctionDef]] = {}

    def definition(key: FrameKey) -> FunctionDef | None:
        rel = repo.relative(key[0])
        if rel is None or key[2].startswith("<"):
            return None
        if rel not in functions:
            try:
                functions[rel] = parse_functions((repo.root / rel).read_bytes())
            except OSError:
                functions[rel] = []
        return function_at_line(functions[rel], key[1], key[2])

    targets: dict[FrameKey, FunctionDef] = {}
    for key in frames:
        found = definition(key)
        if found is not None:
            targets[key] = found

    charged, unattributed = rollup(frames, lambda key: key in targets)
    total = sum(frame.self_s for frame in frames.values())
    hot: list[HotFunction] = []
    for key, seconds in charged.items():
        fn = targets[key]
        frame = frames[key]
        hot.append(
            HotFunction(
                file=repo.relative(key[0]) or key[0],
                qualname=fn.qualname,
                line=key[1],
                self_s=seconds,
                total_s=frame.total_s,
                share=seconds / total if total > 0 else 0.0,
                calls=frame.calls,
            )
        )
    hot.sort(key=lambda h: (-h.share, h.file, h.line))

    unmapped: dict[str, float] = defaultdict(float)
    for key, frame in frames.items():
        if key not in targets and key[0] not in {"~", ""}:
            unmapped[key[0]] += frame.self_s
    top_unmapped = tuple(sorted(unmapped, key=lambda f: -unmapped[f])[:5])
    return Profile(
        functions=tuple(hot),
        total_s=total,
        source=source,
        unattributed_share=unattributed / total if total > 0 else 0.0,
        top_unmapped=top_unmapped,
    )


def describe_unmapped(profile: Profile, root: Path) -> str:
    """One line saying that no frame maps to the repository, with the top unmapped files."""
    files = ", ".join(profile.top_unmapped) or "none"
    return (
        f"{profile.source}: no profiled function lives in {root} "
        f"(is it a profile of another program?); most expensive files: {files}"
    )
