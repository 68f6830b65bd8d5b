"""The tracer in a real workload process, writing a real SQLite capture file."""

from __future__ import annotations

import pickle
import sqlite3
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from eco.capture import CaptureStore, CaptureTarget, capture_argv, write_spec
from eco.capture.store import CaptureSummary, FunctionCapture, write_store
from eco.errors import StateError
from eco.pysource import find_function, parse_functions
from eco.sandbox import Limits, SandboxResult, eco_import_path, run_sandboxed

MOD = """
import threading


class Counter:
    def __init__(self, start):
        self.n = start

    def add(self, k, *more, scale=1, **extra):
        self.n += k * scale
        return self.n

    @staticmethod
    def twice(x):
        return 2 * x

    @classmethod
    def make(cls, n):
        return cls(n)


def total(xs, start=0):
    xs.append(99)
    return sum(xs) + start


def numbers(n):
    yield from range(n)


def takes(obj):
    return obj


def combine(a, /, b, *rest, key=None, **opts):
    return a


def in_thread(x):
    return x + 1
"""

WORKLOAD = """
import threading
from pkg.mod import Counter, total, numbers, takes, combine, in_thread


class Local:
    pass


for i in range(6):
    print(total([i, i + 1], start=i))
print(list(numbers(3)), list(numbers(2)))
takes(threading.Lock())
takes(Local())
takes(b"x" * 5000)
takes({"fine": [1, 2]})
c = Counter(1)
print(c.add(2, 3, 4, scale=2, tag="t"))
print(Counter.twice(4), Counter.make(7).n)
combine(1, 2, 3, 4, key="k", flag=True)
t = threading.Thread(target=in_thread, args=(41,))
t.start()
t.join()
"""

QUALNAMES = [
    "Counter.add",
    "Counter.twice",
    "Counter.make",
    "total",
    "numbers",
    "takes",
    "combine",
    "in_thread",
]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    root = tmp_path / "proj"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("")
    (root / "pkg" / "mod.py").write_text(textwrap.dedent(MOD))
    (root / "workload.py").write_text(textwrap.dedent(WORKLOAD))
    # The test unpickles captured calls itself, so it must import the tiny package.
    monkeypatch.syspath_prepend(str(root))
    yield root
    for name in ("pkg.mod", "pkg"):
        sys.modules.pop(name, None)


def targets_for(root: Path, rel: str, qualnames: list[str]) -> list[CaptureTarget]:
    path = root / rel
    functions = parse_functions(path.read_bytes())
    out = []
    for q in qualnames:
        fn = find_function(functions, q)
        assert fn is not None, q
        out.append(CaptureTarget(str(path), fn.start_line, fn.name, rel, q))
    return out


def run_capture(
    root: Path, program: list[str], spec_kwargs: dict[str, Any], qualnames: list[str]
) -> tuple[SandboxResult, Path]:
    db = root / ".eco" / "capture.sqlite"
    spec = root / "spec.json"
    db.parent.mkdir(exist_ok=True)
    write_spec(spec, db, targets_for(root, "pkg/mod.py", qualnames), **spec_kwargs)
    env = {"PYTHONPATH": eco_import_path(root.parent / "ecopath")}
    result = run_sandboxed(capture_argv(spec, program), root, Limits(timeout_s=60), env)
    return result, db


def decoded(blobs: list[bytes]) -> list[tuple[tuple[Any, ...], dict[str, Any]]]:
    # The test trusts these pickles: it wrote the workload itself.
    return [pickle.loads(b) for b in blobs]


def test_captures_real_calls_with_reasons(project: Path) -> None:
    plain = run_sandboxed([sys.executable, "workload.py"], project)
    result, db = run_capture(
        project, ["workload.py"], {"max_calls": 4, "max_call_bytes": 2000}, QUALNAMES
    )
    assert result.returncode == 0, result.stderr
    # The workload behaves exactly as it does without the tracer.
    assert result.stdout == plain.stdout
    store = CaptureStore(db)
    assert [s.qualname for s in store.summaries()] == sorted(QUALNAMES)

    total = store.summary("pkg/mod.py", "total")
    assert total is not None
    assert (total.seen, total.stored, total.uncapturable) == (6, 4, 0)
    # Arguments are pickled before the body appends 99 to the list. `start=0` holds the
    # default object itself, so it is left to the function's default on replay.
    assert decoded(store.calls("pkg/mod.py", "total")) == [
        (([0, 1],), {}),
        *((([i, i + 1], i), {}) for i in range(1, 4)),
    ]

    takes = store.summary("pkg/mod.py", "takes")
    assert takes is not None
    assert (takes.seen, takes.stored, takes.uncapturable) == (4, 1, 3)
    reasons = " | ".join(takes.reasons)
    assert "unpicklable arguments: TypeError" in reasons
    assert "'Local' defined in __main__" in reasons
    assert "larger than 2000 bytes" in reasons
    assert decoded(store.calls("pkg/mod.py", "takes")) == [(({"fine": [1, 2]},), {})]

    numbers = store.summary("pkg/mod.py", "numbers")
    assert numbers == CaptureSummary(
        "pkg/mod.py",
        "numbers",
        seen=2,
        stored=0,
        uncapturable=2,
        reasons=("generator or coroutine function: calls cannot be replayed (2 calls)",),
    )

    [(args, kwargs)] = decoded(store.calls("pkg/mod.py", "Counter.add"))
    assert type(args[0]).__qualname__ == "Counter" and args[0].n == 1
    assert args[1:] == (2, 3, 4)
    assert kwargs == {"scale": 2, "tag": "t"}
    assert decoded(store.calls("pkg/mod.py", "Counter.twice")) == [((4,), {})]
    [(make_args, _)] = decoded(store.calls("pkg/mod.py", "Counter.make"))
    assert make_args[0].__qualname__ == "Counter" and make_args[1:] == (7,)
    assert decoded(store.calls("pkg/mod.py", "combine")) == [
        ((1, 2, 3, 4), {"key": "k", "flag": True})
    ]
    # Threads started after the tracer are traced too.
    assert decoded(store.calls("pkg/mod.py", "in_thread")) == [((41,), {})]


def test_hook_is_removed_once_every_target_is_full(project: Path) -> None:
    (project / "full.py").write_text(
        textwrap.dedent(
            """
            import sys
            from pkg.mod import total
            for i in range(10):
                total([i])
            print(sys.getprofile() is None)
            """
        )
    )
    result, db = run_capture(project, ["full.py"], {"max_calls": 3}, ["total"])
    assert result.returncode == 0, result.stderr
    assert result.stdout == "True\n"
    summary = CaptureStore(db).summary("pkg/mod.py", "total")
    assert summary is not None and summary.stored == 3


def test_module_and_code_forms_and_failing_workload(project: Path) -> None:
    (project / "pkg" / "__main__.py").write_text("from pkg.mod import total\ntotal([5])\n")
    result, db = run_capture(project, ["-m", "pkg"], {}, ["total"])
    assert result.returncode == 0, result.stderr
    assert decoded(CaptureStore(db).calls("pkg/mod.py", "total")) == [(([5],), {})]

    code = "from pkg.mod import total\ntotal([1])\nraise SystemExit(3)"
    result, db = run_capture(project, ["-c", code], {}, ["total"])
    assert result.returncode == 3
    # The capture file is still written when the workload fails.
    assert decoded(CaptureStore(db).calls("pkg/mod.py", "total")) == [(([1],), {})]


def test_another_profiler_is_left_alone(project: Path) -> None:
    code = (
        "import cProfile\nfrom pkg.mod import total\n"
        "p = cProfile.Profile(); p.enable()\n"
        "from eco.capture import tracer; import json, os\n"
        "tracer.start(os.environ['SPEC'])\n"
        "total([1]); tracer.stop(); tracer.stop(); p.disable(); print('ok')\n"
    )
    db = project / "c.sqlite"
    spec = project / "spec.json"
    write_spec(spec, db, targets_for(project, "pkg/mod.py", ["total"]))
    env = {"PYTHONPATH": eco_import_path(project.parent / "ecopath"), "SPEC": str(spec)}
    result = run_sandboxed([sys.executable, "-c", code], project, extra_env=env)
    assert result.stdout == "ok\n", result.stderr
    summary = CaptureStore(db).summary("pkg/mod.py", "total")
    assert summary is not None and summary.stored == 0
    assert "another profiler" in summary.reasons[0]


def test_bad_spec_never_breaks_the_workload(project: Path) -> None:
    (project / "spec.json").write_text("{not json")
    env = {"PYTHONPATH": eco_import_path(project.parent / "ecopath")}
    result = run_sandboxed(
        capture_argv(project / "spec.json", ["workload.py"]), project, extra_env=env
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("100\n103\n")
    assert not (project / ".eco").exists()


def test_store_round_trip_and_atomic_replace(tmp_path: Path) -> None:
    db = tmp_path / "sub" / "c.sqlite"
    s = CaptureSummary("a.py", "f", seen=3, stored=2, uncapturable=1, reasons=("why (1 calls)",))
    write_store(db, [FunctionCapture(s, (b"one", b"two"))])
    store = CaptureStore(db)
    assert store.calls("a.py", "f") == [b"one", b"two"]
    assert store.summary("a.py", "f") == s
    assert store.summary("a.py", "g") is None
    assert store.calls("a.py", "g") == []
    write_store(db, [])
    assert CaptureStore(db).summaries() == []
    assert [p.name for p in db.parent.iterdir()] == ["c.sqlite"]


def test_unreadable_store_names_the_file_and_the_fix(tmp_path: Path) -> None:
    missing = tmp_path / "missing.sqlite"
    with pytest.raises(StateError, match=r"missing\.sqlite.*rerun `eco suggest`"):
        CaptureStore(missing)

    garbage = tmp_path / "garbage.sqlite"
    garbage.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(StateError, match=r"garbage\.sqlite.*rerun `eco suggest`"):
        CaptureStore(garbage)

    good = tmp_path / "good.sqlite"
    write_store(good, [FunctionCapture(CaptureSummary("a.py", "f", 1, 1, 0, ()), (b"x",))])
    truncated = tmp_path / "truncated.sqlite"
    truncated.write_bytes(good.read_bytes()[:1000])
    with pytest.raises(StateError, match=r"truncated\.sqlite.*rerun `eco suggest`"):
        CaptureStore(truncated).calls("a.py", "f")

    old = tmp_path / "old.sqlite"
    write_store(old, [])
    with sqlite3.connect(old) as conn:
        conn.execute("UPDATE meta SET value = '0' WHERE key = 'schema_version'")
    conn.close()
    with pytest.raises(StateError, match=r"old\.sqlite.*schema version '0'.*rerun"):
        CaptureStore(old)
