"""Programs the profile tests run under real profilers, and helpers that run them.

``SHOP`` has three hot spots of clearly different sizes (about 60%, 20% and 10% of the
time on an idle machine, in that order under every profiler) and a driver. The gap between
the first two is wide on purpose: under CPU contention the allocating ``build_and_sort``
slows down about twice as much as the pure-bytecode ``scan_list``. The hot functions spend
their time in plain bytecode or one C call, so that cProfile's and pyinstrument's per-call
overhead does not reorder them; each hot spot sits on known lines.
"""

from __future__ import annotations

import gzip
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

SHOP_WORK = '''\
"""Three hot spots of different sizes, each spending its time in its own lines."""


def build_and_sort(n):
    data = [(i * 7919) % 10007 for i in range(n)]
    data.sort()
    return data[n // 2]


def scan_list(n):
    items = list(range(300))
    found = 0
    for i in range(n):
        if i % 400 in items:
            found += 1
    return found


def sum_squares(n):
    total = 0
    for i in range(n):
        total += i * i
    return total


def driver(rounds):
    total = 0
    for _ in range(rounds):
        total += build_and_sort(200_000)
        total += scan_list(80_000)
        total += sum_squares(300_000)
    return total
'''

SHOP_RUN = '''\
import sys

from shop.work import driver

driver(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
'''

#: The lines of ``SHOP_WORK`` where each hot function spends most of its time: scan_list's
#: membership test dominates; sum_squares's ~25 samples split between its loop header and
#: body, so either may come first.
HOT_LINES = {"scan_list": {14}, "sum_squares": {21, 22}}
#: The two lines ``build_and_sort`` divides its time between (the comprehension, the sort).
SORT_LINES = {5, 6}


def write_shop(root: Path) -> Path:
    """The SHOP program as a directory (``shop/work.py``, ``run.py``)."""
    (root / "shop").mkdir(parents=True, exist_ok=True)
    (root / "shop" / "__init__.py").write_text("")
    (root / "shop" / "work.py").write_text(SHOP_WORK)
    (root / "run.py").write_text(SHOP_RUN)
    return root


def run(args: list[str], cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False)


def tool(name: str) -> str | None:
    """A profiler's console script, installed next to this Python or on PATH."""
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else shutil.which(name)


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


FIXTURES = Path(__file__).resolve().parent / "fixtures"


class ShopProfiles:
    """Lazily made real profiles of the SHOP program, cached for the session."""

    def __init__(self, root: Path, out: Path) -> None:
        self.root = root
        self.out = out
        self._made: dict[str, Path] = {}

    def _once(self, name: str, make: Callable[[Path], None]) -> Path:
        if name not in self._made:
            path = self.out / name
            make(path)
            if not path.exists() or path.stat().st_size == 0:
                pytest.skip(f"{name} was not written")
            self._made[name] = path
        return self._made[name]

    def cprofile(self) -> Path:
        def make(path: Path) -> None:
            done = run([sys.executable, "-m", "cProfile", "-o", str(path), "run.py", "3"], self.root)
            assert done.returncode == 0, done.stderr
        return self._once("shop.prof", make)

    def pyinstrument_session(self) -> Path:
        pytest.importorskip("pyinstrument")

        def make(path: Path) -> None:
            done = run([sys.executable, "-m", "pyinstrument", "-r", "pyisession", "-o", str(path),
                        "run.py", "3"], self.root)
            assert done.returncode == 0, done.stderr
        return self._once("shop.pyisession", make)

    def pyinstrument_render(self, renderer: str, suffix: str) -> Path:
        """The same pyinstrument session, rendered by pyinstrument's own ``renderer``."""
        session = self.pyinstrument_session()

        def make(path: Path) -> None:
            done = run([sys.executable, "-m", "pyinstrument", "--load", str(session), "-r", renderer,
                        "-o", str(path)], self.root)
            assert done.returncode == 0, done.stderr
        return self._once(f"shop-pyinstrument{suffix}", make)

    def pyspy(self, fmt: str) -> Path:
        exe = tool("py-spy")
        if exe is None:
            pytest.skip("py-spy is not installed")

        def make(path: Path) -> None:
            done = run([exe, "record", "-r", "500", "-f", fmt, "-o", str(path), "--", sys.executable,
                        "run.py", "3"], self.root)
            if done.returncode != 0:
                pytest.skip(f"py-spy cannot sample here: {done.stderr.strip()[-200:]}")
        return self._once(f"shop-pyspy-{fmt}.{'json' if fmt == 'speedscope' else 'txt'}", make)

    def austin(self) -> Path:
        exe = tool("austin")
        if exe is None:
            pytest.skip("austin is not installed")

        def make(path: Path) -> None:
            done = run([exe, "-i", "1ms", "-o", str(path), sys.executable, "run.py", "3"], self.root)
            if done.returncode != 0 or not path.exists():
                pytest.skip(f"austin cannot sample here: {done.stderr.strip()[-200:]}")
        return self._once("shop.austin", make)


def parse_pprof(pb2: ModuleType, path: Path) -> Any:
    """A pprof file decoded by the protobuf runtime (the reference decoder)."""
    message = pb2.Profile()
    data = path.read_bytes()
    message.ParseFromString(gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data)
    return message
