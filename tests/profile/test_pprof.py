"""pprof: eco's own wire decoder against Google's protobuf runtime and Go's encoder."""

from __future__ import annotations

import gzip
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from _programs import FIXTURES, parse_pprof, write_shop

from eco.errors import ProfileError
from eco.profile import ReadOptions, load_profile
from eco.profile.mapping import RepoMap
from eco.profile.pprof import pprof_tally
from eco.profile.protowire import fields, packed, signed, varint
from eco.profile.resolve import Resolver


def _write(pb2: ModuleType, path: Path, stacks: list[tuple[list[tuple[str, str, int, int]], list[int]]],
           types: list[tuple[str, str]], default: str | None = None, compress: bool = True) -> Path:
    """A pprof profile written by the protobuf runtime: each stack leaf first, frames as
    (file, function, line, start line), one value per sample type."""
    profile = pb2.Profile()
    strings = [""]

    def s(text: str) -> int:
        if text not in strings:
            strings.append(text)
        return strings.index(text)

    for kind, unit in types:
        profile.sample_type.add(type=s(kind), unit=s(unit))
    functions: dict[tuple[str, str, int], int] = {}
    locations: dict[tuple[str, str, int, int], int] = {}
    for frames, values in stacks:
        ids = []
        for file, name, line, start in frames:
            fkey = (file, name, start)
            if fkey not in functions:
                functions[fkey] = len(functions) + 1
                profile.function.add(id=functions[fkey], name=s(name), system_name=s(name),
                                     filename=s(file), start_line=start)
            lkey = (file, name, line, start)
            if lkey not in locations:
                # Sparse, large location ids: pprof allows any nonzero id.
                locations[lkey] = 1000 + 7 * len(locations)
                location = profile.location.add(id=locations[lkey])
                location.line.add(function_id=functions[fkey], line=line)
            ids.append(locations[lkey])
        profile.sample.add(location_id=ids, value=values)
    if default:
        profile.default_sample_type = s(default)
    profile.string_table.extend(strings)
    data = profile.SerializeToString()
    path.write_bytes(gzip.compress(data) if compress else data)
    return path


def _repo(tmp_path: Path) -> Path:
    return write_shop(tmp_path / "repo")


WORK = "shop/work.py"


def _shop_stacks(scale: int = 1) -> list[tuple[list[tuple[str, str, int, int]], list[int]]]:
    driver = ("run.py", "<module>", 5, 1), (WORK, "driver", 30, 26)
    return [
        ([(WORK, "scan_list", 14, 10), *reversed(driver)], [6 * scale, 60_000_000 * scale, 7]),
        ([(WORK, "build_and_sort", 6, 4), *reversed(driver)], [3 * scale, 30_000_000 * scale, 5]),
        ([("/usr/lib/python3.11/random.py", "shuffle", 350, 340), (WORK, "sum_squares", 22, 19),
          *reversed(driver)], [1 * scale, 10_000_000 * scale, 9]),
    ]


def test_protobuf_written_profile(profile_pb2: ModuleType, tmp_path: Path) -> None:
    root = _repo(tmp_path)
    path = _write(profile_pb2, tmp_path / "cpu.pb.gz", _shop_stacks(),
                  [("samples", "count"), ("cpu", "nanoseconds"), ("alloc_space", "bytes")])
    profile = load_profile([path], root)
    assert [f.qualname for f in profile.functions] == ["scan_list", "build_and_sort", "sum_squares"]
    assert profile.unit == "s"
    assert profile.total_s == pytest.approx(0.1)
    scan = profile.functions[0]
    assert scan.share == pytest.approx(0.6)
    assert scan.hot_lines == ((14, pytest.approx(0.06)),)
    # random.shuffle's time is charged to sum_squares, which called it, on its calling line.
    assert profile.functions[2].self_s == pytest.approx(0.01)
    assert profile.functions[2].hot_lines[0][0] == 22
    assert "/usr/lib/python3.11/random.py" in profile.top_unmapped


def test_sample_type_choice_and_unknown_types(profile_pb2: ModuleType, tmp_path: Path) -> None:
    root = _repo(tmp_path)
    types = [("samples", "count"), ("cpu", "nanoseconds"), ("alloc_space", "bytes")]
    path = _write(profile_pb2, tmp_path / "p.pb", _shop_stacks(), types, compress=False)
    counted = load_profile([path], root, options=ReadOptions(sample_type="samples"))
    assert counted.unit == "samples" and counted.total_s == pytest.approx(10)
    bytes_ = load_profile([path], root, options=ReadOptions(sample_type="alloc_space/bytes"))
    assert bytes_.unit == "bytes" and bytes_.functions[0].qualname == "sum_squares"
    with pytest.raises(ProfileError, match=r"p\.pb: no sample type 'wall' \(available: samples/count, "
                                           r"cpu/nanoseconds, alloc_space/bytes\)"):
        load_profile([path], root, options=ReadOptions(sample_type="wall"))
    # default_sample_type is honoured when no type is asked for.
    preferred = _write(profile_pb2, tmp_path / "d.pb.gz", _shop_stacks(), types, default="samples")
    assert load_profile([preferred], root).unit == "samples"
    # A heap profile alone has no time to rank by.
    heap = _write(profile_pb2, tmp_path / "heap.pb.gz", [(s, v[2:]) for s, v in _shop_stacks()],
                  [("alloc_space", "bytes")])
    with pytest.raises(ProfileError, match=r"heap\.pb\.gz: no sample type measures time.*alloc_space/bytes"):
        load_profile([heap], root)


def test_decoder_agrees_with_protobuf_on_gos_profiles(profile_pb2: ModuleType) -> None:
    """Every sample of two profiles Go wrote, decoded by eco's wire reader and by the
    protobuf runtime, gives the same stacks and values."""
    for name in ("shop-pyspy.pb.gz", "go-cpu.pb.gz"):
        reference = parse_pprof(profile_pb2, FIXTURES / name)
        data = gzip.decompress((FIXTURES / name).read_bytes())
        ours: list[tuple[list[int], list[int]]] = []
        for number, wire, a, b in fields(data):
            if number == 2 and wire == 2:
                sample: dict[int, list[int]] = {1: [], 2: []}
                for n, w, c, d in fields(data, a, b):
                    if n in sample:
                        sample[n].extend(packed(data, c, d) if w == 2 else [c])
                ours.append((sample[1], [signed(v) for v in sample[2]]))
        theirs = [(list(s.location_id), list(s.value)) for s in reference.sample]
        assert ours == theirs and len(ours) > 10


def test_go_runtime_cpu_profile_is_another_program(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    with pytest.raises(ProfileError) as info:
        load_profile([FIXTURES / "go-cpu.pb.gz"], root)
    message = str(info.value)
    assert "go-cpu.pb.gz: no profiled function lives in" in message
    assert "src/sort/" in message and ".go" in message
    with pytest.raises(ProfileError, match=r"no sample type 'wall' \(available: samples/count, cpu/nanoseconds\)"):
        load_profile([FIXTURES / "go-cpu.pb.gz"], root, options=ReadOptions(sample_type="wall"))


@pytest.mark.parametrize("cut", [0.5, 0.9, 0.999])
def test_truncated_pprof(tmp_path: Path, cut: float) -> None:
    data = gzip.decompress((FIXTURES / "shop-pyspy.pb.gz").read_bytes())
    bad = tmp_path / "cut.pb"
    bad.write_bytes(data[: int(len(data) * cut)])
    with pytest.raises(ProfileError, match=r"cut\.pb: not a valid pprof profile, or a truncated one") as info:
        pprof_tally(bad.read_bytes(), bad, Resolver(RepoMap(tmp_path)))
    assert "\n" not in str(info.value)


def test_truncated_and_corrupt_gzip(tmp_path: Path) -> None:
    good = (FIXTURES / "shop-pyspy.pb.gz").read_bytes()
    cut = tmp_path / "cut.pb.gz"
    cut.write_bytes(good[: len(good) // 2])
    with pytest.raises(ProfileError, match=r"cut\.pb\.gz: gzip data is corrupt or truncated"):
        load_profile([cut], tmp_path)
    flipped = bytearray(good)
    flipped[len(good) // 2] ^= 0xFF
    corrupt = tmp_path / "corrupt.pb.gz"
    corrupt.write_bytes(bytes(flipped))
    with pytest.raises(ProfileError, match=r"corrupt\.pb\.gz: gzip data is corrupt or truncated"):
        load_profile([corrupt], tmp_path)


def test_unpacked_repeated_fields_and_varints() -> None:
    assert varint(b"\xac\x02", 0) == (300, 2)
    assert signed((1 << 64) - 5) == -5
    # Sample{location_id: 1, location_id: 300 (unpacked), value: [7] packed}
    sample = b"\x08\x01\x08\xac\x02\x12\x01\x07"
    got: list[Any] = list(fields(sample))
    assert [(n, w) for n, w, _, _ in got] == [(1, 0), (1, 0), (2, 2)]
    assert got[1][2] == 300
    assert packed(sample, got[2][2], got[2][3]) == [7]
