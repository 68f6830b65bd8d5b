"""Every format, written by its real profiler, ranks the same program the same way."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _programs import FIXTURES, HOT_LINES, SORT_LINES, ShopProfiles

from eco.profile import Profile, ReadOptions, load_profile
from eco.profile.formats import read_tally
from eco.profile.mapping import RepoMap
from eco.profile.resolve import Resolver
from eco.profile.sources import Reader, detect_format

RANKED = ["scan_list", "build_and_sort"]


def _shares(profile: Profile) -> dict[str, float]:
    return {f.qualname: f.share for f in profile.functions}


def _check_shop(profile: Profile) -> None:
    """What every profiler agrees on about SHOP: the two big hot spots and their order,
    a smaller third, and nothing charged to code objects that are not functions."""
    names = [f.qualname for f in profile.functions]
    assert names[:2] == RANKED, names
    shares = _shares(profile)
    assert shares["scan_list"] > 0.3
    assert 0.08 < shares["build_and_sort"] < shares["scan_list"]
    assert 0.02 < shares["sum_squares"] < 0.2
    assert set(names) <= {"scan_list", "build_and_sort", "sum_squares", "driver"}
    assert all(f.file == "shop/work.py" for f in profile.functions)
    total = sum(shares.values()) + profile.unattributed_share
    assert total == pytest.approx(1.0, abs=1e-6)


def _check_lines(profile: Profile) -> None:
    by_name = {f.qualname: f for f in profile.functions}
    for name, lines in HOT_LINES.items():
        assert by_name[name].hot_lines[0][0] in lines, (name, by_name[name].hot_lines)
    assert {line for line, _ in by_name["build_and_sort"].hot_lines[:2]} == SORT_LINES
    for f in profile.functions:
        assert sum(cost for _, cost in f.hot_lines) <= f.self_s * (1 + 1e-9)


def test_cprofile(shop: ShopProfiles) -> None:
    profile = load_profile([shop.cprofile()], shop.root)
    _check_shop(profile)
    assert profile.formats == ("pstats",)
    assert profile.unit == "s"
    by_name = {f.qualname: f for f in profile.functions}
    assert by_name["scan_list"].calls == 3 and by_name["driver"].calls == 1
    # Addressable time: own time plus callee time per call. A leaf's is its own time; the
    # driver, called once, can address everything below it.
    assert by_name["scan_list"].addressable_s == pytest.approx(by_name["scan_list"].self_s, rel=0.05)
    driver = by_name["driver"]
    assert driver.addressable_s == pytest.approx(driver.self_s + (driver.total_s - driver.self_s), rel=1e-9)
    assert all(not f.hot_lines for f in profile.functions)
    assert any("cProfile/pstats records no line numbers" in w for w in profile.warnings)


def test_pyinstrument_session_and_its_renderings_agree(shop: ShopProfiles) -> None:
    session = load_profile([shop.pyinstrument_session()], shop.root)
    _check_shop(session)
    assert session.formats == ("pyinstrument-session",)
    # pyinstrument samples on call and return events, so a loop without calls has its
    # time on the line where it next calls or returns: the lines are the function's own.
    for f in session.functions:
        assert f.hot_lines and all(f.line <= line <= f.line + 8 for line, _ in f.hot_lines)
    reference = _shares(session)
    for renderer, suffix, fmt in [("json", ".json", "pyinstrument-json"),
                                  ("speedscope", ".speedscope.json", "speedscope-pyinstrument"),
                                  ("pstats", ".pstats", "pstats")]:
        rendered = load_profile([shop.pyinstrument_render(renderer, suffix)], shop.root)
        assert rendered.formats == (fmt,)
        _check_shop(rendered)
        for name, share in _shares(rendered).items():
            # pyinstrument's reports drop frames under 1% and round times to microseconds.
            assert share == pytest.approx(reference[name], abs=0.02), (renderer, name)
        if renderer != "pstats":
            assert any("first line" in w for w in rendered.warnings)


def test_pyspy_raw_and_speedscope(shop: ShopProfiles) -> None:
    raw = load_profile([shop.pyspy("raw")], shop.root)
    _check_shop(raw)
    _check_lines(raw)
    assert raw.formats == ("collapsed",) and raw.unit == "samples"
    speedscope = load_profile([shop.pyspy("speedscope")], shop.root)
    _check_shop(speedscope)
    _check_lines(speedscope)
    assert speedscope.formats == ("speedscope",) and speedscope.unit == "s"
    assert all(f.calls == 0 and f.addressable_s is None for f in speedscope.functions)


def test_austin(shop: ShopProfiles) -> None:
    profile = load_profile([shop.austin()], shop.root)
    _check_shop(profile)
    _check_lines(profile)
    assert profile.unit == "s"  # austin's wall-mode microseconds


def test_every_profiler_ranks_the_same_two_first(shop: ShopProfiles) -> None:
    made = [shop.cprofile()]
    for make in (shop.pyinstrument_session, lambda: shop.pyspy("raw"), shop.austin):
        try:
            made.append(make())
        except pytest.skip.Exception:
            continue
    rankings = {str(p.name): [f.qualname for f in load_profile([p], shop.root).functions][:2] for p in made}
    assert all(r == RANKED for r in rankings.values()), rankings


def test_pprof_written_by_go_matches_the_collapsed_stacks_it_came_from(shop: ShopProfiles) -> None:
    """Go's pprof encoder wrote the same py-spy samples as a gzipped profile.proto."""
    pprof = load_profile([FIXTURES / "shop-pyspy.pb.gz"], shop.root)
    collapsed = load_profile([FIXTURES / "shop-pyspy.txt"], shop.root)
    assert pprof.formats == ("pprof",) and pprof.unit == "s"
    _check_shop(pprof)
    _check_lines(pprof)
    # Same samples, so the same functions and lines; the converter wrote 2 ms of cpu per
    # sample and left out py-spy's frameless samples, which only count as unattributed.
    assert [f.qualname for f in pprof.functions] == [f.qualname for f in collapsed.functions]
    for a, b in zip(pprof.functions, collapsed.functions, strict=True):
        assert a.self_s == pytest.approx(b.self_s * 0.002)
        assert a.total_s == pytest.approx(b.total_s * 0.002)
        assert [line for line, _ in a.hot_lines] == [line for line, _ in b.hot_lines]
        assert [c for _, c in a.hot_lines] == pytest.approx([c * 0.002 for _, c in b.hot_lines])
    wall = load_profile([FIXTURES / "shop-pyspy.pb.gz"], shop.root, options=ReadOptions(sample_type="wall"))
    assert wall.total_s == pytest.approx(2 * pprof.total_s)
    counts = load_profile([FIXTURES / "shop-pyspy.pb.gz"], shop.root, options=ReadOptions(sample_type="samples/count"))
    assert counts.unit == "samples"
    assert [f.self_s for f in counts.functions] == pytest.approx([f.self_s for f in collapsed.functions])


@pytest.mark.parametrize(
    ("name", "expected"),
    [("shop-pyspy.txt", "collapsed"), ("shop-pyspy.pb.gz", "pprof"), ("go-cpu.pb.gz", "pprof")],
)
def test_format_comes_from_content_not_name(tmp_path: Path, name: str, expected: str) -> None:
    renamed = tmp_path / "profile.data"
    renamed.write_bytes((FIXTURES / name).read_bytes())
    reader = Reader(renamed)
    assert detect_format(reader.head(), renamed) == expected


def test_json_formats_are_told_apart_by_their_keys(shop: ShopProfiles, tmp_path: Path) -> None:
    resolver = Resolver(RepoMap(shop.root))
    for source, fmt in [(shop.pyinstrument_session(), "pyinstrument-session"),
                        (shop.pyinstrument_render("json", ".json"), "pyinstrument-json")]:
        renamed = tmp_path / f"{fmt}.bin"
        renamed.write_text(json.dumps(json.loads(source.read_text())))
        assert read_tally(renamed, resolver).format == fmt
