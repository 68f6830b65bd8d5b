"""The timing worker's handling of arguments: reused when the target leaves them alone,
a fresh copy per pass when it changes them, in the worker's own time function."""

from __future__ import annotations

import argparse
import pickle
import sys
from pathlib import Path
from typing import Any

import pytest

from eco.verify.bench_worker import BATCH_BYTES, _make_time_func, batch_size, leaves_arguments_alone

CALLS = [pickle.dumps(((list(range(50)),), {})), pickle.dumps(((list(range(7)),), {}))]


def _load(tmp_path: Path, module: str, source: str) -> argparse.Namespace:
    """A one-module project and the worker's namespace for it; the module is imported
    in-process so the test can read what the target recorded."""
    project = tmp_path / module
    project.mkdir()
    (project / f"{module}.py").write_text(source)
    calls = tmp_path / f"{module}-calls.pickle"
    calls.write_bytes(pickle.dumps(CALLS))
    args = argparse.Namespace(
        eco_project=str(project),
        eco_module=module,
        eco_import_root=str(project),
        eco_qualname="f",
        eco_calls=str(calls),
    )
    return args


@pytest.fixture(autouse=True)
def _forget_modules() -> Any:
    before = set(sys.modules)
    yield
    for name in set(sys.modules) - before:
        if name.startswith("benchmod_"):
            del sys.modules[name]


def test_a_target_that_leaves_its_arguments_alone_gets_one_shared_copy(tmp_path: Path) -> None:
    args = _load(
        tmp_path, "benchmod_pure", "SEEN = []\n\ndef f(xs):\n    SEEN.append(id(xs))\n    return sum(xs)\n"
    )
    time_func = _make_time_func(args)
    assert time_func(6) > 0
    seen = sys.modules["benchmod_pure"].SEEN
    # 2 probe calls on private copies, then 6 passes x 2 calls on the same two lists.
    timed = seen[2:]
    assert len(timed) == 12
    assert len(set(timed[0::2])) == 1 and len(set(timed[1::2])) == 1


def test_a_target_that_changes_its_arguments_gets_a_fresh_copy_every_pass(tmp_path: Path) -> None:
    args = _load(
        tmp_path, "benchmod_mutating", "SEEN = []\n\ndef f(xs):\n    SEEN.append(len(xs))\n    xs.append(0)\n"
    )
    time_func = _make_time_func(args)
    time_func(5)
    time_func(3)
    seen = sys.modules["benchmod_mutating"].SEEN
    # The probe stops at the first call it sees changed; then every pass saw the
    # captured lengths, never a list grown by an earlier pass.
    assert seen == [50] + [50, 7] * 8


def test_probe_counts_anything_odd_as_a_change(tmp_path: Path) -> None:
    def pure(xs: list[int]) -> int:
        return len(xs)

    def raises_without_touching(xs: list[int]) -> int:
        raise ValueError("no")

    def sorts(xs: list[int]) -> None:
        xs.reverse()

    def stores_unpicklable(xs: list[object]) -> None:
        xs.append(lambda: 0)

    assert leaves_arguments_alone(pure, CALLS)
    assert leaves_arguments_alone(raises_without_touching, CALLS)
    assert not leaves_arguments_alone(sorts, CALLS)
    assert not leaves_arguments_alone(stores_unpicklable, CALLS)


def test_batch_sizes() -> None:
    assert batch_size(1000, 10, memoized=True, reuse=True) == 1
    assert batch_size(1000, 10, memoized=False, reuse=True) == 1000
    assert batch_size(1000, BATCH_BYTES // 4, memoized=False, reuse=False) == 4
    assert batch_size(1000, BATCH_BYTES * 3, memoized=False, reuse=False) == 1
