"""`load_profile`: profile files in, one merged ranking of repository functions out."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from eco.errors import ProfileError
from eco.profile.build import build_profile, describe_unmapped
from eco.profile.formats import read_tally
from eco.profile.mapping import DEFAULT_EXCLUDE, RepoMap, parse_path_maps
from eco.profile.records import Profile, ReadOptions
from eco.profile.resolve import Resolver
from eco.profile.sources import Progress, expand_inputs, profile_weights


def load_profile(paths: Sequence[Path | str], root: Path, exclude: Sequence[str] = DEFAULT_EXCLUDE,
                 also_exclude: Sequence[str] = (), options: ReadOptions | None = None,
                 progress: Progress | None = None) -> Profile:
    """Read profile files, roll their time up to functions under ``root``, merge them.

    Args:
        paths: Profile files, directories of them, or glob patterns, of any supported
            format, mixed freely.
        root: The repository whose functions are ranked.
        exclude: Repository-relative globs that are never targets.
        also_exclude: Repository-relative paths that are never targets (the workload script).
        options: Path maps, per-file weights and the pprof sample type.
        progress: Called with a message while many or big files are read.

    Returns:
        The merged `Profile`, ranked by rolled-up share.

    Raises:
        ProfileError: a file is missing, unreadable, empty or not a profile (the message
            names it), or no profiled function lives in ``root``.
        ConfigError: a malformed ``--path-map`` or ``--weight``.
    """
    options = options or ReadOptions()
    files = expand_inputs(paths)
    weights = profile_weights(files, options.weights)
    repo = RepoMap(root=root, exclude=tuple(exclude), also_exclude=frozenset(also_exclude),
                   path_map=parse_path_maps(options.path_map))
    resolver = Resolver(repo)
    tallies = []
    for number, path in enumerate(files, 1):
        if progress is not None and len(files) > 1:
            progress(f"reading profile {number} of {len(files)}: {path}")
        tallies.append(read_tally(path, resolver, options.sample_type, progress))
    profile = build_profile(tallies, weights, resolver, _describe(files))
    if not profile.functions:
        raise ProfileError(describe_unmapped(profile, root))
    return profile


def _describe(files: Sequence[Path]) -> str:
    if len(files) <= 3:
        return ", ".join(str(f) for f in files)
    return f"{len(files)} profiles ({files[0]}, {files[1]}, ..., {files[-1]})"
