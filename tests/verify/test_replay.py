"""Replay of captured calls in real sandboxed workers, and the call-by-call comparison."""

from __future__ import annotations

import math
import pickle
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from eco.capture import CaptureStore, CaptureTarget, capture_argv, write_spec
from eco.pysource import find_function, parse_functions
from eco.sandbox import Limits, eco_import_path, filesystem_isolation_available, run_sandboxed
from eco.verify.compare import canonicalize, difference
from eco.verify.replay import ReplayOutcome, compare, replay

LIMITS = Limits(timeout_s=60)

BASE = """
import random
from functools import lru_cache


def dedupe(xs):
    out = []
    for x in xs:
        if x not in out:
            out.append(x)
    return out


def sort_copy(xs):
    return sorted(xs)


def mean(xs):
    if not xs:
        raise ValueError("empty input")
    return sum(xs) / len(xs)


def noisy(n):
    return [random.random() for _ in range(n)]


CALLS = []


@lru_cache(maxsize=None)
def square(x):
    CALLS.append(x)
    return (x * x, len(CALLS))


class Box:
    def __init__(self, items):
        self.items = list(items)

    def total(self, scale=1):
        return sum(self.items) * scale

    def grow(self, x):
        self.items.append(x)
        return len(self.items)

    @staticmethod
    def double(x):
        return 2 * x

    @classmethod
    def build(cls, n):
        return cls(range(n)).items

    @property
    def size(self):
        return len(self.items)
"""


def write_project(root: Path, source: str) -> Path:
    (root / "pkg").mkdir(parents=True, exist_ok=True)
    (root / "pkg" / "__init__.py").write_text("")
    (root / "pkg" / "mod.py").write_text(textwrap.dedent(source))
    return root


@pytest.fixture
def base(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    root = write_project(tmp_path / "base", BASE)
    # Building pickles of Box instances needs the package importable here.
    monkeypatch.syspath_prepend(str(root))
    yield root
    for name in ("pkg.mod", "pkg"):
        sys.modules.pop(name, None)


def variant(tmp_path: Path, name: str, old: str, new: str) -> Path:
    source = textwrap.dedent(BASE)
    old, new = textwrap.dedent(old), textwrap.dedent(new)
    assert old in source
    return write_project(tmp_path / name, source.replace(old, new))


def calls(*items: tuple[tuple[Any, ...], dict[str, Any]]) -> list[bytes]:
    return [pickle.dumps(item) for item in items]


def run(root: Path, qualname: str, blobs: list[bytes], tmp_path: Path) -> ReplayOutcome:
    out = tmp_path / "out" / root.name / qualname
    return replay(root, "pkg/mod.py", qualname, blobs, out, LIMITS)


def test_equal_rewrite_matches_and_results_are_canonical(base: Path, tmp_path: Path) -> None:
    fast = variant(
        tmp_path,
        "fast",
        """
        def dedupe(xs):
            out = []
            for x in xs:
                if x not in out:
                    out.append(x)
            return out
        """,
        """
        def dedupe(xs):
            return list(dict.fromkeys(xs))
        """,
    )
    blobs = calls((([3, 1, 3, 2, 1],), {}), (([],), {}), ((["a", "b", "a"],), {}))
    b = run(base, "dedupe", blobs, tmp_path)
    c = run(fast, "dedupe", blobs, tmp_path)
    assert b.ok and c.ok, (b.error, c.error)
    assert b.results[0]["returned"] == {"t": "list", "v": [3, 1, 2]}
    assert b.results[0]["raised"] is None
    assert compare(b, c) == compare(b, b)
    eq = compare(b, c)
    assert (eq.inputs, eq.mismatches, eq.first_mismatch) == (3, 0, "")


def test_different_return_value_is_a_mismatch(base: Path, tmp_path: Path) -> None:
    wrong = variant(
        tmp_path,
        "wrong",
        """
        def dedupe(xs):
            out = []
            for x in xs:
                if x not in out:
                    out.append(x)
            return out
        """,
        """
        def dedupe(xs):
            return sorted(set(xs))
        """,
    )
    blobs = calls((([1, 2],), {}), (([2, 1],), {}), (([2, 1, 2],), {}))
    eq = compare(run(base, "dedupe", blobs, tmp_path), run(wrong, "dedupe", blobs, tmp_path))
    # Calls 2 and 3, and the derived [1, None] and [2, None], on which sorted() raises.
    assert (eq.inputs, eq.derived, eq.mismatches) == (3, 5, 4)
    assert (
        eq.first_mismatch
        == "call 2: returned [2, 1] on baseline, [1, 2] on candidate ([0]: 2 != 1)"
    )


def test_argument_mutation_is_compared(base: Path, tmp_path: Path) -> None:
    in_place = variant(
        tmp_path,
        "inplace",
        """
        def sort_copy(xs):
            return sorted(xs)
        """,
        """
        def sort_copy(xs):
            xs.sort()
            return xs
        """,
    )
    blobs = calls((([1, 2],), {}), (([3, 1, 2],), {}))
    eq = compare(
        run(base, "sort_copy", blobs, tmp_path), run(in_place, "sort_copy", blobs, tmp_path)
    )
    assert eq.mismatches == 1
    assert eq.first_mismatch == "call 2: argument 0 mutated differently at [0]: 3 != 1"


def test_exceptions_and_float_tolerance(base: Path, tmp_path: Path) -> None:
    other = variant(
        tmp_path,
        "other",
        """
        def mean(xs):
            if not xs:
                raise ValueError("empty input")
            return sum(xs) / len(xs)
        """,
        """
        def mean(xs):
            if len(xs) == 0:
                raise ValueError("empty input")
            total = 0.0
            for x in reversed(xs):
                total += x
            return total / len(xs)
        """,
    )
    blobs = calls(
        (([0.1, 0.2, 0.3],), {}), (([],), {}), (([float("nan")],), {}), (([1e308, 1e308],), {})
    )
    b = run(base, "mean", blobs, tmp_path)
    c = run(other, "mean", blobs, tmp_path)
    assert b.results[1]["raised"] == {"type": "builtins.ValueError", "message": "empty input"}
    assert b.results[3]["returned"] == {"t": "float", "v": "inf"}
    # Summation order changes the last bit of 0.1 + 0.2 + 0.3: by default floats must be
    # identical, so that is a mismatch; NaN equals NaN.
    assert compare(b, b).mismatches == 0
    exact = compare(b, c)
    assert exact.mismatches == 1
    assert exact.first_mismatch.startswith("call 1: returned 0.20000000000000004 on baseline, 0.19999999999999998 ")
    assert exact.first_mismatch.endswith("floats must be identical unless [tool.eco] float_tolerance allows it")
    tolerant = compare(b, c, rel_tol=1e-9)
    assert tolerant.mismatches == 0
    # Derived calls: [], [0.1], [0.1, None], [1e308], [1e308, None]; where both sides raise,
    # only the arguments are compared.
    assert tolerant.derived == 5

    raises_other = variant(
        tmp_path,
        "raises",
        'raise ValueError("empty input")',
        'raise ZeroDivisionError("empty input")',
    )
    eq = compare(b, run(raises_other, "mean", blobs, tmp_path))
    assert eq.mismatches == 1
    assert eq.first_mismatch == (
        "call 2: raised ValueError('empty input') on baseline, "
        "raised ZeroDivisionError('empty input') on candidate"
    )


def test_random_is_seeded_and_caches_cleared_before_each_call(base: Path, tmp_path: Path) -> None:
    blobs = calls(((3,), {}), ((3,), {}))
    noisy = run(base, "noisy", blobs, tmp_path)
    assert noisy.ok, noisy.error
    assert noisy.results[0]["returned"] == noisy.results[1]["returned"]
    # lru_cache stays in the call path (the module attribute) and is cleared between
    # calls: the second call of square(4) runs the body again.
    squares = run(base, "square", calls(((4,), {}), ((4,), {})), tmp_path)
    assert [r["returned"]["v"] for r in squares.results] == [[16, 1], [16, 2]]


def test_methods_resolve_through_the_class(base: Path, tmp_path: Path) -> None:
    from pkg.mod import Box  # type: ignore[import-not-found]

    def box(*items: int) -> Any:
        return Box(items)

    total = run(base, "Box.total", calls(((box(1, 2),), {}), ((box(3), 2), {})), tmp_path)
    assert [r["returned"] for r in total.results] == [3, 6]
    grow = run(base, "Box.grow", calls(((box(1), 5), {})), tmp_path)
    assert grow.results[0]["returned"] == 2
    # The instance after the call is part of the outcome.
    assert grow.results[0]["args"]["v"][0]["attrs"] == [["items", {"t": "list", "v": [1, 5]}]]
    assert run(base, "Box.double", calls(((4,), {})), tmp_path).results[0]["returned"] == 8
    built = run(base, "Box.build", calls(((Box, 2), {})), tmp_path)
    assert built.results[0]["returned"] == {"t": "list", "v": [0, 1]}
    assert run(base, "Box.size", calls(((box(1, 2, 3),), {})), tmp_path).results[0]["returned"] == 3


def test_failures_are_outcomes_and_never_pass(base: Path, tmp_path: Path) -> None:
    blobs = calls((([1],), {}))
    good = run(base, "dedupe", blobs, tmp_path)

    broken = variant(
        tmp_path, "broken", "import random", "import random\nraise RuntimeError('boom')"
    )
    bad = run(broken, "dedupe", blobs, tmp_path)
    assert not bad.ok
    assert bad.error == "cannot import pkg.mod: RuntimeError: boom"
    eq = compare(good, bad)
    assert eq.mismatches == 1 and eq.first_mismatch.startswith(
        "candidate replay failed: cannot import"
    )
    assert compare(bad, good).mismatches >= 1

    exits = variant(tmp_path, "exits", "    out = []\n", "    import os; os._exit(3)\n")
    crashed = run(exits, "dedupe", blobs, tmp_path)
    assert (crashed.ok, crashed.error) == (False, "replay worker failed: exit status 3")

    loops = variant(tmp_path, "loops", "    out = []\n", "    while True: pass\n")
    slow = replay(loops, "pkg/mod.py", "dedupe", blobs, tmp_path / "slow", Limits(timeout_s=2))
    assert (slow.ok, slow.error) == (False, "replay timed out after 2s")

    renamed = variant(tmp_path, "renamed", "def dedupe(xs):", "def dedupe(items):")
    kw = calls(((), {"xs": [1]}))
    rebound = run(renamed, "dedupe", kw, tmp_path)
    assert not rebound.ok
    assert rebound.error.startswith("call 1: captured arguments do not fit (items)")

    missing = run(base, "nothere", blobs, tmp_path)
    assert (missing.ok, missing.error) == (False, "pkg.mod.nothere is not a function")
    nested = run(base, "Box.nope", blobs, tmp_path)
    assert nested.error == "class Box does not define nope"

    unloadable = run(base, "dedupe", [b"not a pickle"], tmp_path)
    assert unloadable.error.startswith("call 1: cannot load the captured arguments")

    empty = compare(ReplayOutcome(True, "", []), ReplayOutcome(True, "", []))
    assert (empty.inputs, empty.mismatches) == (0, 0)


def test_module_shadowed_by_an_installed_copy_is_refused(tmp_path: Path) -> None:
    # `json` is imported by the worker itself before the project's import root is added,
    # so the project's json.py can never be the module that runs.
    root = tmp_path / "shadow"
    root.mkdir()
    (root / "json.py").write_text("def dumps(x):\n    return 'mine'\n")
    out = replay(root, "json.py", "dumps", calls(((1,), {})), tmp_path / "o", LIMITS)
    assert not out.ok
    assert "not from" in out.error and "an installed copy shadowed it" in out.error


def test_captured_then_replayed_end_to_end(base: Path, tmp_path: Path) -> None:
    (base / "workload.py").write_text(
        "from pkg.mod import Box, dedupe\n"
        "for n in range(5):\n"
        "    dedupe(list(range(n)) * 2)\n"
        "    Box(range(n)).grow(n)\n"
    )
    path = base / "pkg" / "mod.py"
    functions = parse_functions(path.read_bytes())
    targets = []
    for q in ("dedupe", "Box.grow"):
        fn = find_function(functions, q)
        assert fn is not None
        targets.append(CaptureTarget(str(path), fn.start_line, fn.name, "pkg/mod.py", q))
    captured = tmp_path / "capture"
    captured.mkdir()
    spec, db = captured / "spec.json", captured / "capture.sqlite"
    write_spec(spec, db, targets)
    env = {"PYTHONPATH": eco_import_path(tmp_path / "ecopath")}
    # The tracer writes the database outside the project: that directory is bound writable.
    ran = run_sandboxed(capture_argv(spec, ["workload.py"]), base, LIMITS, env, writable=[captured])
    assert ran.returncode == 0, ran.stderr
    store = CaptureStore(db)
    for q in ("dedupe", "Box.grow"):
        blobs = store.calls("pkg/mod.py", q)
        assert len(blobs) == 5
        outcome = run(base, q, blobs, tmp_path)
        assert outcome.ok, outcome.error
        assert compare(outcome, outcome).mismatches == 0
    grow = run(base, "Box.grow", store.calls("pkg/mod.py", "Box.grow"), tmp_path)
    assert [r["returned"] for r in grow.results] == [1, 2, 3, 4, 5]


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ([1, 2], [1, 2], None),
        ((1,), [1], "value: (1,) != [1]"),
        ({"k": 1}, {"k": 1.0}, "['k']: 1 != 1.0"),
        ({1: "a", 2: "b"}, {2: "b", 1: "a"}, "value: same keys in a different order"),
        ({True: 1}, {1: 1}, "value: keys [True] != [1]"),
        ({3, 1, 2}, {2, 3, 1}, None),
        (float("nan"), float("nan"), None),
        (1.0, 1.0 + 1e-12, f"value: 1.0 != {1.0 + 1e-12}"),  # floats are compared exactly
        (0.0, -0.0, None),
        (1.0, 1.001, "value: 1.0 != 1.001"),
        (b"ab", bytearray(b"ab"), "value: b'ab' != bytearray(b'ab')"),
        (ValueError("a"), ValueError("b"), ".args[0]: 'a' != 'b'"),
        (
            object(),
            object(),
            "value: cannot be compared (builtins.object known only by a repr with an address)",
        ),
        (iter([1, 2]), [1, 2], "value: [1, 2] != [1, 2]"),
        (math.inf, -math.inf, "value: float('inf') != float('-inf')"),
    ],
)
def test_difference(a: Any, b: Any, expected: str | None) -> None:
    assert difference(canonicalize(a), canonicalize(b)) == expected


def test_opaque_never_equals_itself_and_large_values_use_a_digest() -> None:
    blob = object()
    assert difference(canonicalize(blob), canonicalize(blob)) is not None
    big = list(range(100_000))
    assert canonicalize(big)["t"] == "digest"
    assert difference(canonicalize(big), canonicalize(list(range(100_000)))) is None
    assert difference(canonicalize(big), canonicalize([*range(99_999), -1])) is not None
    with_opaque = [object(), *range(100_000)]
    assert canonicalize(with_opaque)["t"] == "opaque"
    deep: list[Any] = []
    for _ in range(200):
        deep = [deep]
    assert "deeper" in str(difference(canonicalize(deep), canonicalize(deep)))
    cyclic: list[Any] = [1]
    cyclic.append(cyclic)
    assert canonicalize(cyclic) == {"t": "list", "v": [1, {"t": "cycle", "up": 1}]}


class Slotted:
    __slots__ = ("a", "b")

    def __init__(self, a: Any) -> None:
        self.a = a


class Plain:
    def __init__(self, **attrs: Any) -> None:
        self.__dict__.update(attrs)


def test_objects_are_compared_by_their_state() -> None:
    assert difference(canonicalize(Plain(x=1, y=[2])), canonicalize(Plain(y=[2], x=1))) is None
    assert difference(canonicalize(Plain(x=1)), canonicalize(Plain(x=2))) == ".x: 1 != 2"
    assert difference(canonicalize(Slotted(1)), canonicalize(Slotted(1))) is None
    assert difference(canonicalize(Slotted(1)), canonicalize(Slotted(2))) == ".a: 1 != 2"
    unset = canonicalize(Slotted(1))["attrs"]
    assert unset == [["a", 1], ["b", {"t": "unset"}]]


def test_numpy_arrays_compare_with_tolerance() -> None:
    np = pytest.importorskip("numpy")
    a = np.array([[0.1, 0.2], [0.3, float("nan")]])
    assert difference(canonicalize(a), canonicalize(a)) is None  # NaN equals NaN
    assert difference(canonicalize(a), canonicalize(a + 1e-15)) == f"[0][0]: 0.1 != {0.1 + 1e-15}"
    assert difference(canonicalize(a), canonicalize(a + 1e-15), rel_tol=1e-9) is None
    assert difference(canonicalize(a), canonicalize(a + 1e-3), rel_tol=1e-9) == "[0][0]: 0.1 != 0.101"
    assert difference(canonicalize(a), canonicalize(a.astype(np.float32))) == (
        "value: dtype 'float64' != 'float32'"
    )
    assert difference(canonicalize(a), canonicalize(a.reshape(4))) is not None
    assert difference(canonicalize(np.int64(3)), canonicalize(3)) is not None


@pytest.mark.skipif(not filesystem_isolation_available(), reason="no working bubblewrap here")
def test_a_replayed_function_cannot_plant_a_module_for_the_next_replay(tmp_path: Path) -> None:
    """The worker writes only its result: eco's import path and the calls file, which the
    next replay in the same directory uses, are read-only to it."""
    hostile = write_project(tmp_path / "hostile", """
        import os, sys

        def plant():
            tried = {}
            for directory in [*os.environ["PYTHONPATH"].split(os.pathsep), os.path.dirname(sys.argv[sys.argv.index("--calls") + 1])]:
                try:
                    with open(os.path.join(directory, "sitecustomize.py"), "w") as f:
                        f.write("raise SystemExit('planted')")
                    tried[directory] = "written"
                except OSError as exc:
                    tried[directory] = type(exc).__name__
            return sorted(tried.values())
        """)
    out = tmp_path / "out"
    outcome = replay(hostile, "pkg/mod.py", "plant", calls(((), {})), out, LIMITS)
    assert outcome.ok, outcome.error
    assert "written" not in str(outcome.results[0]["returned"])
    assert not list(out.rglob("sitecustomize.py"))



def test_derived_edge_cases_catch_what_the_workload_never_passed(base: Path, tmp_path: Path) -> None:
    """Every captured call has rows; the rewrite differs only on none (a trailing separator)."""
    old = """
        def sort_copy(xs):
            return sorted(xs)
        """
    render = write_project(tmp_path / "render", textwrap.dedent(BASE).replace(
        textwrap.dedent(old), "def sort_copy(xs):\n    return ''.join(str(x) + '\\n' for x in xs)\n"))
    joined = write_project(tmp_path / "joined", textwrap.dedent(BASE).replace(
        textwrap.dedent(old), "def sort_copy(xs):\n    return '\\n'.join(str(x) for x in xs) + '\\n'\n"))
    blobs = calls((([3, 1, 2],), {}), ((["a", "b"],), {}))
    b = run(render, "sort_copy", blobs, tmp_path)
    c = run(joined, "sort_copy", blobs, tmp_path)
    assert [r.get("derived") for r in b.results] == [
        None, None,
        "call 1, argument 0 cut to 0 items", "call 1, argument 0 cut to 1 item",
        "call 1, argument 0 cut to its first item and None",
        "call 2, argument 0 cut to 1 item", "call 2, argument 0 cut to its first item and None",
    ]  # call 2 cut to nothing is call 1 cut to nothing: not derived twice
    eq = compare(b, c)
    assert (eq.inputs, eq.derived, eq.mismatches) == (2, 5, 1)
    assert eq.first_mismatch == (
        "derived input (call 1, argument 0 cut to 0 items): returned '' on baseline, '\\n' on candidate "
        "(value: '' != '\\n')"
    )
    assert compare(b, b) == replace(eq, mismatches=0, first_mismatch="")


def test_derived_inputs_the_baseline_rejects_are_not_compared(base: Path, tmp_path: Path) -> None:
    # mean([]) raises ValueError on the baseline; the candidate's ZeroDivisionError there is
    # not held against it: that input is outside the function's domain.
    other = variant(tmp_path, "other", 'raise ValueError("empty input")', 'return 1 / 0')
    blobs = calls((([1.0, 2.0, 4.0],), {}))
    b = run(base, "mean", blobs, tmp_path)
    c = run(other, "mean", blobs, tmp_path)
    assert b.results[1]["derived"] == "call 1, argument 0 cut to 0 items" and b.results[1]["raised"]
    assert c.results[1]["raised"]["type"] == "builtins.ZeroDivisionError"
    eq = compare(b, c)
    assert (eq.inputs, eq.derived, eq.mismatches) == (1, 3, 0)


DRAIN = """
def drain(pending):
    done = []
    while pending:
        done.append(1.0 / pending.pop(0))
    return done
"""


def test_what_a_raising_call_left_in_its_arguments_is_compared(base: Path, tmp_path: Path) -> None:
    """A queue drained item by item, rewritten to convert first and clear after: equal on
    every captured call; on [first item, None] both raise, but the original had already
    taken the first item off the queue."""
    drain = write_project(tmp_path / "drain", BASE + DRAIN)
    batch = write_project(tmp_path / "batch", BASE + DRAIN.replace(
        "    done = []\n    while pending:\n        done.append(1.0 / pending.pop(0))\n    return done",
        "    done = [1.0 / x for x in pending]\n    pending.clear()\n    return done"))
    blobs = calls((([1.0, 2.0, 4.0],), {}), (([8.0],), {}))
    b = run(drain, "drain", blobs, tmp_path)
    c = run(batch, "drain", blobs, tmp_path)
    assert compare(b, c).mismatches == 1
    assert compare(b, c).first_mismatch == (
        "derived input (call 1, argument 0 cut to its first item and None): "
        "argument 0 mutated differently: 0 items != 2 items"
    )


def test_a_method_instance_is_never_cut(base: Path, tmp_path: Path) -> None:
    from pkg.mod import Box  # type: ignore[import-not-found]

    blobs = calls(((Box([1, 2, 3]), 2), {}))
    out = run(base, "Box.total", blobs, tmp_path)
    assert out.ok, out.error
    assert [r.get("derived") for r in out.results] == [None]  # args[0] is the instance; 2 cannot be cut


def test_derive_calls_is_deterministic_and_bounded() -> None:
    from eco.verify.replay_worker import derive_calls

    blobs = calls(*[(((i, i + 1, i + 2), "xy"), {"names": {"a": 1, "b": 2}}) for i in range(20)])
    first = derive_calls(blobs, skip_first=False)
    assert first == derive_calls(blobs, skip_first=False)
    assert len(first) == 24
    assert [what for what, _ in first[:6]] == [
        "call 1, argument 0 cut to 0 items", "call 1, argument 0 cut to 1 item",
        "call 1, argument 1 cut to 0 items", "call 1, argument 1 cut to 1 item",
        "call 1, argument 'names' cut to 0 items", "call 1, argument 'names' cut to 1 item",
    ]
    assert pickle.loads(first[5][1]) == (((0, 1, 2), "xy"), {"names": {"a": 1}})
    assert derive_calls(blobs, skip_first=False, limit=3) == first[:3]
