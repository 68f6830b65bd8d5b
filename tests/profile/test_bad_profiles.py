"""Every broken profile file gets a one-line error that names it."""

from __future__ import annotations

import cProfile
import gzip
import json
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


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"frame_records": [], "start_time": 0}, "the profile is empty.*pyinstrument session has no samples"),
        ({"frame_records": [["not", "a record"]]}, "not a pyinstrument session"),
        ({"root_frame": None}, "the profile is empty.*pyinstrument report has no frames"),
        ({"root_frame": {"function": "f", "children": []}}, "not a pyinstrument report"),
        ({"$schema": "https://www.speedscope.app/file-format-schema.json", "shared": {"frames": []},
          "profiles": []}, "the profile is empty"),
        ({"shared": {"frames": [{"name": "f"}]}, "profiles": [
            {"type": "evented", "unit": "seconds", "events": [{"type": "C", "at": 1.0, "frame": 0}]}]},
         "speedscope events are unbalanced"),
        ({"shared": {"frames": [{"name": "f"}]}, "profiles": [
            {"type": "sampled", "unit": "bytes", "samples": [[0]], "weights": [1]}]}, "a memory profile"),
        ({"shared": {"frames": [{"name": "f"}]}, "profiles": [
            {"type": "sampled", "unit": "seconds", "samples": [[0, 7]], "weights": [1]}]},
         "not a valid speedscope file"),
        ({"traceEvents": []}, "JSON, but not a profile eco reads.*its keys: traceEvents"),
        ([1, 2, 3], "JSON, but not a profile"),
    ],
)
def test_json_that_is_not_a_usable_profile(tmp_path: Path, document: object, message: str) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(document))
    with pytest.raises(ProfileError, match=message) as info:
        load_profile([bad], tmp_path)
    assert str(info.value).startswith(f"{bad}: ") and "\n" not in str(info.value)


def test_truncated_json(tmp_path: Path) -> None:
    doc = {"$schema": "https://www.speedscope.app/file-format-schema.json",
           "shared": {"frames": [{"name": "f", "file": "a.py", "line": 1}] * 50},
           "profiles": [{"type": "sampled", "unit": "seconds", "samples": [[0]] * 50, "weights": [1] * 50}]}
    text = json.dumps(doc)
    cut = tmp_path / "cut.speedscope.json"
    cut.write_text(text[: len(text) // 2])
    with pytest.raises(ProfileError, match=r"cut\.speedscope\.json: JSON that does not parse, truncated\?"):
        load_profile([cut], tmp_path)
