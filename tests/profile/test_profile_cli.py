"""`eco profile` on real programs and real profile files, through the real CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from _programs import FIXTURES, write_shop

from eco.cli import main
from eco.errors import WorkloadError
from eco.profile.workload import profiler_flag


@pytest.fixture
def shop_repo(tmp_path: Path) -> Path:
    return write_shop(tmp_path / "shop-repo")


def test_profile_a_command_under_cprofile(shop_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["profile", "--repo", str(shop_repo), "--", "python", "run.py", "1"])
    out, err = capsys.readouterr()
    assert code == 0, err
    written = list((shop_repo / ".eco" / "profiles").glob("*.prof"))
    assert len(written) == 1 and f"profile written to {written[0]}" in err.replace("\n", "")
    assert "shop/work.py:10::scan_list" in out and "calls" in out
    assert "* above max_share (25%)" in out  # scan_list's ~45% is over the default maximum
    assert "note: no hot lines: cProfile/pstats records no line numbers" in " ".join(out.split())


def test_profile_a_command_under_pyinstrument(shop_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("pyinstrument")
    code = main(["profile", "--repo", str(shop_repo), "--profiler", "pyinstrument", "--json", "--",
                 "python", "run.py", "1"])
    out, err = capsys.readouterr()
    assert code == 0, err
    document = json.loads(out)
    assert document["formats"] == ["pyinstrument-session"]
    assert list((shop_repo / ".eco" / "profiles").glob("*.pyisession"))
    names = [f["qualname"] for f in document["functions"]]
    assert names[:2] == ["scan_list", "build_and_sort"]
    assert all(f["hot_lines"] for f in document["functions"])
    # The workload script is never a target, and its module body is not a function.
    assert all(f["file"] == "shop/work.py" for f in document["functions"])


def test_profile_files_json(shop_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["profile", "--repo", str(shop_repo), "--json", str(FIXTURES / "shop-pyspy.pb.gz"),
                 str(FIXTURES / "shop-pyspy.txt"), "--weight", "*.txt=3"])
    out, err = capsys.readouterr()
    assert code == 0, err
    document = json.loads(out)
    assert set(document) == {"eco_version", "source", "formats", "unit", "total_s", "unattributed_share",
                              "warnings", "functions"}
    assert document["formats"] == ["pprof", "collapsed"] and document["unit"] == "share"
    first = document["functions"][0]
    assert first["qualname"] == "scan_list" and first["target"] is False
    assert first["hot_lines"][0][0] == 14 and first["addressable_s"] is None
    assert [f["target"] for f in document["functions"] if f["qualname"] == "sum_squares"] == [True]


def test_profile_a_directory_with_the_console_script_in_a_subprocess(shop_repo: Path, tmp_path: Path) -> None:
    fleet = tmp_path / "fleet"
    fleet.mkdir()
    for name in ("shop-pyspy.txt", "shop-pyspy.pb.gz"):
        (fleet / name).write_bytes((FIXTURES / name).read_bytes())
    done = subprocess.run([sys.executable, "-m", "eco", "profile", "--repo", str(shop_repo), str(fleet),
                           "--min-share", "0.1"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "scan_list" in done.stdout and "build_and_sort" in done.stdout
    assert "sum_squares" not in done.stdout  # under --min-share
    assert "hot lines" in done.stdout and "L14" in done.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--sample-type", "bogus", str(FIXTURES / "shop-pyspy.pb.gz")],
         "no sample type 'bogus' (available: samples/count, cpu/nanoseconds, wall/nanoseconds)"),
        ([str(FIXTURES / "go-cpu.pb.gz")], "go-cpu.pb.gz: no profiled function lives in"),
        ([str(FIXTURES / "README.md")], "README.md: text, but not collapsed stacks"),
        (["--weight", "nothing=2", str(FIXTURES / "shop-pyspy.txt")], "matches none of the profile files"),
        (["--path-map", "nonsense", str(FIXTURES / "shop-pyspy.txt")], "must look like OLD=NEW"),
        (["--", "python", "missing.py"], "script missing.py not found"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(shop_repo: Path, capsys: pytest.CaptureFixture[str],
                                         args: list[str], message: str) -> None:
    code = main(["profile", "--repo", str(shop_repo), "-q", *args])
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    line = " ".join(err.split())  # one message, however the terminal wraps it
    assert line.startswith("eco: error: ") and message in line


def test_missing_pyinstrument_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "pyinstrument" else real(name, *a))
    with pytest.raises(WorkloadError, match=r"pip install 'eco\[profilers\]'"):
        profiler_flag("pyinstrument")
    with pytest.raises(WorkloadError, match="unknown profiler 'perf'"):
        profiler_flag("perf")
    assert profiler_flag("cprofile") == "--cprofile"
