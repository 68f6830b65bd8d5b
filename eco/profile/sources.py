"""Finding profile files, reading them (gzip or not, with progress) and telling their format.

The format is told from the content, never from the name alone: a gzip stream is opened
first, then the first bytes decide between a marshalled pstats dict, JSON (speedscope,
pyinstrument report or session, told apart by their keys once parsed), collapsed stacks
(text lines ending in a count) and a pprof protobuf.
"""

from __future__ import annotations

import fnmatch
import glob
import gzip
import os
import re
import zlib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from eco.errors import ConfigError, ProfileError

#: Progress messages for a person; stages never print.
Progress = Callable[[str], None]

_GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 4 << 20
#: Files larger than this report their reading progress.
PROGRESS_OVER = 16 << 20
#: Formats read whole are refused above these (decompressed) sizes; collapsed stacks stream.
JSON_LIMIT = 1 << 30
BINARY_LIMIT = 2 << 30

_COLLAPSED_LINE = re.compile(rb"^(?:.* )?\d+(?:\.\d+)?(?:,-?\d+)*\s*$")


def expand_inputs(paths: Sequence[Path | str]) -> list[Path]:
    """Profile files named by ``paths``: files, directories (every file inside) and globs."""
    found: list[Path] = []
    for item in paths:
        path = Path(item)
        text = str(item)
        if path.is_dir():
            inside = sorted(
                p for p in path.rglob("*")
                if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            if not inside:
                raise ProfileError(f"{path}: directory holds no profile files")
            found.extend(inside)
        elif path.exists():
            found.append(path)
        elif glob.has_magic(text):
            matched = sorted(Path(p) for p in glob.glob(text, recursive=True) if os.path.isfile(p))
            if not matched:
                raise ProfileError(f"{text}: no profile file matches this pattern")
            found.extend(matched)
        else:
            raise ProfileError(f"{path}: no such profile file")
    unique = list(dict.fromkeys(found))
    if not unique:
        raise ProfileError("no profile files given")
    return unique


def profile_weights(files: Sequence[Path], specs: Sequence[str]) -> list[float]:
    """Per-file weights from ``FILE=W`` specs (FILE: a path, a directory or a glob; the last
    matching spec wins; files no spec names weigh 1)."""
    weights = [1.0] * len(files)
    for spec in specs:
        pattern, sep, value = spec.rpartition("=")
        if not sep or not pattern:
            raise ConfigError(f"--weight {spec!r} must look like FILE=WEIGHT")
        try:
            weight = float(value)
        except ValueError:
            raise ConfigError(f"--weight {spec!r}: weight {value!r} is not a number") from None
        if not weight > 0 or weight == float("inf"):
            raise ConfigError(f"--weight {spec!r}: weight must be a positive number")
        hits = [i for i, file in enumerate(files) if _names(pattern, file)]
        if not hits:
            raise ConfigError(f"--weight {spec!r} matches none of the profile files")
        for i in hits:
            weights[i] = weight
    return weights


def _names(pattern: str, file: Path) -> bool:
    if str(file) == pattern or fnmatch.fnmatch(str(file), pattern) or fnmatch.fnmatch(file.name, pattern):
        return True
    target = Path(pattern)
    try:
        resolved, mine = target.resolve(), file.resolve()
    except OSError:
        return False
    return resolved == mine or (target.is_dir() and resolved in mine.parents)


class Reader:
    """A profile file opened for reading: decompressed on the fly, with progress."""

    def __init__(self, path: Path, progress: Progress | None = None) -> None:
        if not path.exists():
            raise ProfileError(f"{path}: no such profile file")
        if path.is_dir():
            raise ProfileError(f"{path}: is a directory, not a profile file")
        self.path = path
        self.size = path.stat().st_size
        self.progress = progress if progress is not None and self.size > PROGRESS_OVER else None
        with path.open("rb") as handle:
            self.gzipped = handle.read(2) == _GZIP_MAGIC
        self._reported = -1

    def chunks(self, limit: int | None = None) -> Iterator[bytes]:
        """The decompressed content in chunks; corrupt or truncated gzip is a `ProfileError`."""
        read = 0
        try:
            with self.path.open("rb") as raw:
                stream = gzip.GzipFile(fileobj=raw, mode="rb") if self.gzipped else raw
                while True:
                    chunk = stream.read(_CHUNK)
                    if not chunk:
                        break
                    read += len(chunk)
                    if limit is not None and read > limit:
                        raise ProfileError(
                            f"{self.path}: larger than {limit >> 20} MB once decompressed; "
                            "eco streams only collapsed stacks this big (convert it, e.g. with py-spy -f raw)"
                        )
                    self._report(raw.tell())
                    yield chunk
        except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
            raise ProfileError(f"{self.path}: gzip data is corrupt or truncated ({exc})") from exc
        except OSError as exc:
            raise ProfileError(f"{self.path}: cannot be read ({exc.strerror or exc})") from exc

    def head(self, size: int = 1 << 16) -> bytes:
        """The first ``size`` decompressed bytes (fewer if the file is shorter)."""
        try:
            with self.path.open("rb") as raw:
                if self.gzipped:
                    with gzip.GzipFile(fileobj=raw, mode="rb") as stream:
                        return stream.read(size)
                return raw.read(size)
        except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
            raise ProfileError(f"{self.path}: gzip data is corrupt or truncated ({exc})") from exc
        except OSError as exc:
            raise ProfileError(f"{self.path}: cannot be read ({exc.strerror or exc})") from exc

    def read_all(self, limit: int) -> bytes:
        return b"".join(self.chunks(limit))

    def _report(self, position: int) -> None:
        if self.progress is None or self.size <= 0:
            return
        tenth = min(10, position * 10 // self.size)
        if tenth > self._reported:
            self._reported = tenth
            self.progress(f"reading {self.path.name}: {position / 1e6:.1f} of {self.size / 1e6:.1f} MB ({tenth * 10}%)")


def detect_format(head: bytes, path: Path) -> str:
    """``pstats``, ``json``, ``collapsed`` or ``pprof``, from the first decompressed bytes."""
    if not head:
        raise ProfileError(f"{path}: the file is empty")
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    first = head[:1]
    if first in (b"{", b"\xfb") and (len(head) < 2 or head[1:2] in (b"(", b")", b"0", b"\xa8", b"\xa9")):
        return "pstats"
    text = _looks_like_text(head)
    if text and stripped[:1] in (b"{", b"["):
        return "json"
    if text:
        lines = [line for line in head.splitlines()[:50] if line.strip() and not line.startswith(b"#")]
        if head.startswith(b"# austin") or (lines and all(_COLLAPSED_LINE.match(line) for line in lines[:-1] or lines)):
            return "collapsed"
        raise ProfileError(
            f"{path}: text, but not collapsed stacks (`frame;frame;frame COUNT` lines); "
            "eco reads pstats, pyinstrument, speedscope, collapsed-stack and pprof profiles"
        )
    if head[:1] in (b"\x0a", b"\x12", b"\x1a", b"\x22", b"\x2a", b"\x32", b"\x38", b"\x40", b"\x48", b"\x50", b"\x5a", b"\x60"):
        return "pprof"
    if head[:1] in (b"{", b"\xfb"):
        return "pstats"
    raise ProfileError(
        f"{path}: not a profile eco can read (pstats, pyinstrument JSON or session, speedscope, "
        "collapsed stacks, pprof)"
    )


_CONTROL = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")


def _looks_like_text(head: bytes) -> bool:
    if _CONTROL.search(head):
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut by the end of the head is still text.
        return exc.start >= len(head) - 3 and exc.reason == "unexpected end of data"
    return True
