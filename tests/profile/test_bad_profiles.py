"""Every broken profile file gets a one-line error that names it."""

from __future__ import annotations

import cProfile
import gzip
import marshal
from pathlib import Path

import pytest

from eco.errors import ProfileError
from eco.profile import load_profile


def _real(path: Path) -> Path:
    profiler = cProfile.Profile()
    profiler.enable()
    sorted(range(1000), key=lambda v: -v)
    profiler.disable()
    profiler.dump_stats(str(path))
    return path


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b'{"not": "a profile"}', "JSON, but not a profile eco reads.*its keys: not"),
        (marshal.dumps({}), "the profile is empty"),
        (marshal.dumps({("a.py", 1, "f"): 3}), "unexpected content"),
        (marshal.dumps([1, 2, 3]), "not a profile eco can read"),
        (gzip.compress(b"junk"), "text, but not collapsed stacks"),
    ],
)
def test_not_a_profile(tmp_path: Path, content: bytes, message: str) -> None:
    bad = tmp_path / "bad.prof"
    bad.write_bytes(content)
    with pytest.raises(ProfileError, match=message) as info:
        load_profile([bad], tmp_path)
    assert str(bad) in str(info.value)
    assert "\n" not in str(info.value)


def test_truncated_profile(tmp_path: Path) -> None:
    good = _real(tmp_path / "good.prof")
    cut = tmp_path / "cut.prof"
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(ProfileError, match=r"cut\.prof: not a cProfile/pstats file, or a truncated one"):
        load_profile([cut], tmp_path)


def test_missing_and_directory(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="no such profile file"):
        load_profile([tmp_path / "nope.prof"], tmp_path)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ProfileError, match="directory holds no profile files"):
        load_profile([empty], tmp_path)
