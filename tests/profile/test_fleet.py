"""Fleet merge: many profiles, mixed formats, one ranking; each normalised, then weighted."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from _programs import FIXTURES, ShopProfiles, run, write_shop

from eco.errors import ConfigError, ProfileError
from eco.profile import Profile, ReadOptions, load_profile

ONLY_SCAN = "from shop.work import scan_list\nscan_list(30_000)\n"
ONLY_SORT = "from shop.work import build_and_sort\nfor _ in range(3):\n    build_and_sort(400_000)\n"


def _shares(profile: Profile) -> dict[str, float]:
    return {f.qualname: f.share for f in profile.functions}


def _cprofile(root: Path, script: str, out: Path) -> Path:
    (root / "job.py").write_text(script)
    done = run([sys.executable, "-m", "cProfile", "-o", str(out), "job.py"], root)
    assert done.returncode == 0, done.stderr
    return out


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two real cProfile runs of different jobs of one program; the sort job runs about 4x longer."""
    root = write_shop(tmp_path_factory.mktemp("fleet-repo"))
    profiles = tmp_path_factory.mktemp("fleet")
    _cprofile(root, ONLY_SCAN, profiles / "scan.prof")
    _cprofile(root, ONLY_SORT, profiles / "sort.prof")
    return root, profiles


def test_each_profile_counts_by_its_shares_not_its_length(fleet: tuple[Path, Path]) -> None:
    root, profiles = fleet
    scan = load_profile([profiles / "scan.prof"], root)
    sort = load_profile([profiles / "sort.prof"], root)
    assert sort.total_s > scan.total_s  # the sort job ran longer
    merged = load_profile([profiles], root)  # a directory
    shares = _shares(merged)
    assert shares["scan_list"] == pytest.approx(_shares(scan)["scan_list"] / 2)
    assert shares["build_and_sort"] == pytest.approx(_shares(sort)["build_and_sort"] / 2)
    assert merged.total_s == pytest.approx(scan.total_s + sort.total_s)
    assert merged.formats == ("pstats", "pstats")
    assert sum(shares.values()) + merged.unattributed_share == pytest.approx(1.0)


def test_weights(fleet: tuple[Path, Path]) -> None:
    root, profiles = fleet
    scan = _shares(load_profile([profiles / "scan.prof"], root))["scan_list"]
    sort = _shares(load_profile([profiles / "sort.prof"], root))["build_and_sort"]
    weighted = load_profile([str(profiles / "*.prof")], root, options=ReadOptions(weights=("sort.prof=3",)))
    shares = _shares(weighted)
    assert shares["scan_list"] == pytest.approx(scan * 1 / 4)
    assert shares["build_and_sort"] == pytest.approx(sort * 3 / 4)
    # A directory or glob as the weight's FILE; the last spec that names a file wins.
    again = load_profile([profiles], root, options=ReadOptions(weights=(f"{profiles}=5", "*scan*=15")))
    assert _shares(again)["scan_list"] == pytest.approx(scan * 15 / 20)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("nothing.prof=2", "matches none of the profile files"),
        ("sort.prof=heavy", "is not a number"),
        ("sort.prof=0", "must be a positive number"),
        ("sort.prof=-1", "must be a positive number"),
        ("sort.prof", "must look like FILE=WEIGHT"),
    ],
)
def test_bad_weights(fleet: tuple[Path, Path], spec: str, message: str) -> None:
    root, profiles = fleet
    with pytest.raises(ConfigError, match=message):
        load_profile([profiles], root, options=ReadOptions(weights=(spec,)))


def test_mixed_formats_merge_by_share(shop: ShopProfiles, tmp_path: Path) -> None:
    directory = tmp_path / "mixed"
    directory.mkdir()
    sources = [shop.cprofile(), FIXTURES / "shop-pyspy.txt", FIXTURES / "shop-pyspy.pb.gz"]
    for source in sources:
        shutil.copy(source, directory / source.name)
    merged = load_profile([directory], shop.root)
    assert merged.unit == "share" and merged.total_s == 1.0
    assert sorted(merged.formats) == ["collapsed", "pprof", "pstats"]
    singles = [_shares(load_profile([s], shop.root)) for s in sources]
    for name, share in _shares(merged).items():
        assert share == pytest.approx(sum(s.get(name, 0.0) for s in singles) / 3)
    # Lines from the sampled profiles survive the merge with the line-less pstats.
    assert next(f for f in merged.functions if f.qualname == "scan_list").hot_lines[0][0] == 14
    assert not any("no hot lines" in w for w in merged.warnings)


def test_a_profile_of_another_program_in_the_fleet_is_a_warning(shop: ShopProfiles) -> None:
    merged = load_profile([shop.cprofile(), FIXTURES / "go-cpu.pb.gz"], shop.root)
    assert any("go-cpu.pb.gz: no frame maps to the repository" in w and ".go" in w for w in merged.warnings)
    assert merged.functions[0].qualname == "scan_list"


def test_inputs_that_name_nothing(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match=r"prod-\*\.pb\.gz: no profile file matches this pattern"):
        load_profile([str(tmp_path / "prod-*.pb.gz")], tmp_path)
    with pytest.raises(ProfileError, match="no profile files given"):
        load_profile([], tmp_path)
    junk = tmp_path / "dir"
    junk.mkdir()
    shutil.copy(FIXTURES / "shop-pyspy.txt", junk / "a.txt")
    (junk / "README.md").write_text("# profiles from prod\n")
    with pytest.raises(ProfileError, match=r"README\.md: text, but not collapsed stacks"):
        load_profile([junk], tmp_path)


def test_progress_reports_each_file_and_big_ones(shop: ShopProfiles, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import eco.profile.sources as sources

    monkeypatch.setattr(sources, "PROGRESS_OVER", 1000)
    monkeypatch.setattr(sources, "_CHUNK", 4096)
    messages: list[str] = []
    load_profile([shop.cprofile(), FIXTURES / "shop-pyspy.txt"], shop.root, progress=messages.append)
    assert messages[0].startswith("reading profile 1 of 2: ")
    assert any(m.startswith("reading shop-pyspy.txt: ") and m.endswith("(100%)") for m in messages)
    assert len([m for m in messages if m.startswith("reading shop-pyspy.txt")]) <= 11
