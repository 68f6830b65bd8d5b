"""A 100 MB profile streams through with progress, and means what its 30 KB original means."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from _programs import FIXTURES, write_shop

from eco.profile import load_profile


def test_hundred_megabytes_of_collapsed_stacks(tmp_path: Path) -> None:
    root = write_shop(tmp_path / "repo")
    original = (FIXTURES / "shop-pyspy.txt").read_bytes()
    copies = 100_000_000 // len(original) + 1
    big = tmp_path / "big.txt"
    with big.open("wb") as out:
        for _ in range(copies):
            out.write(original)
    assert big.stat().st_size > 100_000_000
    messages: list[str] = []
    profile = load_profile([big], root, progress=messages.append)
    small = load_profile([FIXTURES / "shop-pyspy.txt"], root)
    assert [(f.qualname, round(f.share, 9)) for f in profile.functions] == \
        [(f.qualname, round(f.share, 9)) for f in small.functions]
    assert profile.total_s == pytest.approx(small.total_s * copies)
    reading = [m for m in messages if m.startswith("reading big.txt: ")]
    assert reading[-1].endswith("(100%)") and 5 <= len(reading) <= 11


def test_gzipped_big_profile_reports_progress_by_compressed_bytes(tmp_path: Path) -> None:
    root = write_shop(tmp_path / "repo")
    original = (FIXTURES / "shop-pyspy.txt").read_bytes()
    big = tmp_path / "big.txt.gz"
    with gzip.open(big, "wb", compresslevel=1) as out:
        for _ in range(60_000_000 // len(original)):
            out.write(original)
    messages: list[str] = []
    profile = load_profile([big], root, progress=messages.append)
    assert profile.functions[0].qualname == "scan_list"
    if big.stat().st_size > 16 << 20:
        assert any(m.endswith("(100%)") for m in messages)
