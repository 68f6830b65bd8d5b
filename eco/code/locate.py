"""Finding a hot function's exact source in the repository."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from eco.code.records import Target
from eco.errors import SourceError
from eco.profile.records import HotFunction
from eco.pysource import check_syntax, find_function, parse_functions


def read_source(root: Path, file: str) -> str:
    """The text of a repository file; a missing, binary or non-UTF-8 file is a `SourceError`."""
    path = root / file
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"{file}: cannot be read ({exc.strerror or exc})") from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError(f"{file}: not UTF-8 text (byte {exc.start})") from exc
    check_syntax(data, file)
    return text


def locate(hot: HotFunction, root: Path) -> Target:
    """The `Target` for a hot function: its span and text in the file as it is now."""
    text = read_source(root, hot.file)
    data = text.encode("utf-8")
    fn = find_function(parse_functions(data), hot.qualname)
    if fn is None:
        raise SourceError(f"{hot.file}: function {hot.qualname} not found (was the file changed after profiling?)")
    source = data[fn.start_byte : fn.end_byte].decode("utf-8")
    return Target(
        hot=hot,
        file=hot.file,
        qualname=fn.qualname,
        span=(fn.start_byte, fn.end_byte),
        lines=(fn.start_line, fn.end_line),
        source=source,
        file_source=text,
    )


def with_findings(target: Target, antipatterns: tuple[str, ...], captured_calls: int) -> Target:
    """The same target with what detection and capture found."""
    return replace(target, antipatterns=antipatterns, captured_calls=captured_calls)
