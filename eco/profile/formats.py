"""One profile file in, its `Tally` out: the format is detected, then its reader runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from eco.errors import ProfileError
from eco.profile.collapsed import collapsed_tally
from eco.profile.cprofile import pstats_tally
from eco.profile.pprof import pprof_tally
from eco.profile.pyinstrument import report_tally, session_tally
from eco.profile.resolve import Resolver
from eco.profile.sources import BINARY_LIMIT, JSON_LIMIT, Progress, Reader, detect_format
from eco.profile.speedscope import speedscope_tally
from eco.profile.tally import Tally

#: What each format is called in messages and in `Profile.formats`.
FORMATS = ("pstats", "pyinstrument-session", "pyinstrument-json", "speedscope", "collapsed", "pprof")


def read_tally(path: Path, resolver: Resolver, sample_type: str | None = None,
               progress: Progress | None = None) -> Tally:
    """Read one profile file of any supported format and roll it up."""
    reader = Reader(path, progress)
    kind = detect_format(reader.head(), path)
    if kind == "collapsed":
        return collapsed_tally(reader, resolver)
    if kind == "pstats":
        return pstats_tally(reader.read_all(BINARY_LIMIT), path, resolver)
    if kind == "pprof":
        return pprof_tally(reader.read_all(BINARY_LIMIT), path, resolver, sample_type)
    return _json_tally(reader, resolver)


def _json_tally(reader: Reader, resolver: Resolver) -> Tally:
    path = reader.path
    data = reader.read_all(JSON_LIMIT)
    try:
        document: Any = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ProfileError(f"{path}: JSON that does not parse, truncated? ({exc})") from exc
    if not isinstance(document, dict):
        raise ProfileError(f"{path}: JSON, but not a profile (expected speedscope or pyinstrument)")
    if "frame_records" in document:
        return session_tally(document, path, resolver)
    if "root_frame" in document:
        return report_tally(document, path, resolver)
    if "speedscope" in str(document.get("$schema", "")) or ("profiles" in document and "shared" in document):
        return speedscope_tally(document, path, resolver)
    keys = ", ".join(sorted(document)[:6]) or "none"
    raise ProfileError(
        f"{path}: JSON, but not a profile eco reads (speedscope, pyinstrument report or session); its keys: {keys}"
    )
