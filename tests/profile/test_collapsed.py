"""Collapsed stacks in every spelling: py-spy, austin, perf's Python trampolines, Brendan Gregg's."""

from __future__ import annotations

from pathlib import Path

import pytest
from _programs import FIXTURES, dedent, write_shop

from eco.errors import ProfileError
from eco.profile import load_profile
from eco.profile.collapsed import parse_frame


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("scan_list (shop/work.py:14)", ("shop/work.py", "scan_list", 14)),
        ("mid.<locals>.<listcomp> (/app/w.py:4)", ("/app/w.py", "mid.<locals>.<listcomp>", 4)),
        ("_find_and_load (<frozen importlib._bootstrap>:1176)",
         ("<frozen importlib._bootstrap>", "_find_and_load", 1176)),
        ("scan_list (shop/work.py)", ("shop/work.py", "scan_list", 0)),  # py-spy --nolineno
        ("/srv/shop/work.py:Shop.scan:14", ("/srv/shop/work.py", "Shop.scan", 14)),  # austin
        ("C:\\shop\\work.py:scan_list:14", ("C:\\shop\\work.py", "scan_list", 14)),
        ("py::scan_list:/srv/shop/work.py", ("/srv/shop/work.py", "scan_list", 0)),  # perf
        ("P4317", ("", "P4317", 0)),
        ("T0:4317", ("", "T0:4317", 0)),
        ("_PyEval_EvalFrameDefault", ("", "_PyEval_EvalFrameDefault", 0)),
    ],
)
def test_frame_spellings(text: str, expected: tuple[str, str, int]) -> None:
    assert parse_frame(text) == expected


def test_handwritten_folded_stacks(tmp_path: Path) -> None:
    """Brendan Gregg's format by hand: counts per stack, perf-style native frames around the
    Python ones, a frameless sample, and no newline at the end."""
    root = write_shop(tmp_path / "repo")
    folded = tmp_path / "out.folded"
    folded.write_text(dedent("""
        python3;_start;main;py::driver:shop/work.py;py::scan_list:shop/work.py;list_contains 60
        python3;_start;main;py::driver:shop/work.py;py::build_and_sort:shop/work.py;list_sort 30
        python3;_start;main;py::driver:shop/work.py 5
        python3;_start;Py_InitializeEx 4
         1""").rstrip("\n"))
    profile = load_profile([folded], root)
    shares = {f.qualname: f.share for f in profile.functions}
    assert shares == {"scan_list": 0.6, "build_and_sort": 0.3, "driver": 0.05}
    assert profile.unattributed_share == pytest.approx(0.05)
    assert profile.unit == "samples" and profile.total_s == 100
    assert all(not f.hot_lines for f in profile.functions)
    # The driver's inclusive count holds everything under it.
    assert {f.qualname: f.total_s for f in profile.functions}["driver"] == 95


def test_austin_header_and_memory_mode(tmp_path: Path) -> None:
    root = write_shop(tmp_path / "repo")
    work = str((root / "shop" / "work.py").resolve())
    wall = tmp_path / "wall.austin"
    wall.write_text(dedent(f"""
        # austin: 3.7.0
        # interval: 1000
        # mode: wall

        P1;T0:1;{root}/run.py:<module>:5;{work}:driver:30;{work}:scan_list:14 3000
        P1;T0:1;{root}/run.py:<module>:5;{work}:driver:30;{work}:scan_list:15 1000
        P1;T0:1;{root}/run.py:<module>:5;{work}:driver:29;{work}:build_and_sort:6 2000

        # duration: 6000
    """))
    profile = load_profile([wall], root)
    assert profile.unit == "s" and profile.total_s == pytest.approx(0.006)
    scan = profile.functions[0]
    assert scan.qualname == "scan_list" and scan.hot_lines == ((14, pytest.approx(0.003)), (15, pytest.approx(0.001)))
    memory = tmp_path / "memory.austin"
    memory.write_text(wall.read_text().replace("# mode: wall", "# mode: memory"))
    with pytest.raises(ProfileError, match=r"memory\.austin: an austin memory profile; eco ranks functions by time"):
        load_profile([memory], root)


def test_pyspy_raw_from_the_fixture_charges_comprehensions_to_their_function(tmp_path: Path) -> None:
    root = write_shop(tmp_path / "repo")
    profile = load_profile([FIXTURES / "shop-pyspy.txt"], root)
    text = (FIXTURES / "shop-pyspy.txt").read_text()
    assert "build_and_sort.<locals>.<listcomp> (shop/work.py:5)" in text
    sort = next(f for f in profile.functions if f.qualname == "build_and_sort")
    # The list comprehension's samples are build_and_sort's, on line 5.
    assert dict(sort.hot_lines)[5] > 0
    assert not any("<" in f.qualname for f in profile.functions)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("a;b;c 12\na;b;c\n", r"bad\.txt:2: not a collapsed-stack line"),
        ("a;b;c 12\na;b;c twelve\n", r"bad\.txt:2: not a collapsed-stack line"),
        ("hello world\n", r"bad\.txt: text, but not collapsed stacks"),
        ("\n\n", r"bad\.txt: text, but not collapsed stacks"),
        ("a;b 0\n", r"bad\.txt: the profile is empty"),
    ],
)
def test_bad_collapsed(tmp_path: Path, content: str, message: str) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text(content)
    with pytest.raises(ProfileError, match=message) as info:
        load_profile([bad], tmp_path)
    assert "\n" not in str(info.value)


def test_truncated_collapsed_file_names_its_last_line(tmp_path: Path) -> None:
    data = (FIXTURES / "shop-pyspy.txt").read_bytes()
    lines = data.splitlines(keepends=True)
    cut = tmp_path / "cut.txt"
    # Cut inside the last line's stack: its count is gone.
    cut.write_bytes(b"".join(lines[:-1]) + lines[-1][: len(lines[-1]) // 2])
    with pytest.raises(ProfileError, match=rf"cut\.txt:{len(lines)}: not a collapsed-stack line"):
        load_profile([cut], tmp_path)
