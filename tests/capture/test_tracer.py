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


def visit(key, payload):
    return key


def ever_overdrawn(balances):
    return any(b < 0 for b in balances)
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
    # default object itself, so it is left to the function's default on replay. The
    # first half (2 calls) is kept as is, the other half sampled from the 4 later calls.
    kept = decoded(store.calls("pkg/mod.py", "total"))
    head, sampled = kept[:2], kept[2:]
    assert head == [(([0, 1],), {}), (([1, 2], 1), {})]
    starts = [args[1] for args, _ in sampled]
    assert starts == sorted(set(starts)) and set(starts) <= {2, 3, 4, 5}
    assert all(args == ([i, i + 1], i) for (args, _), i in zip(sampled, starts, strict=True))

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


def test_hook_is_removed_once_every_target_reached_max_seen(project: Path) -> None:
    (project / "full.py").write_text(
        textwrap.dedent(
            """
            import sys
            from pkg.mod import total, numbers
            for i in range(10):
                total([i])
            # `numbers` has not been called 5 times yet: the hook is still installed.
            print(sys.getprofile() is None)
            for i in range(7):
                list(numbers(3))
            print(sys.getprofile() is None)
            """
        )
    )
    result, db = run_capture(
        project, ["full.py"], {"max_calls": 3, "max_seen": 5}, ["total", "numbers"]
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "False\nTrue\n"
    store = CaptureStore(db)
    total = store.summary("pkg/mod.py", "total")
    assert total is not None and (total.seen, total.stored) == (10, 3)
    # The first call, then two sampled from calls 2..5: never from past the window.
    kept = [args[0][0] for args, _ in decoded(store.calls("pkg/mod.py", "total"))]
    assert kept[0] == 0 and kept == sorted(kept) and set(kept[1:]) <= {1, 2, 3, 4}
    assert total.reasons == (
        "calls sampled from the first 5 of 10 or more calls (max_seen: later calls were not"
        " watched)",
    )
    # A generator's resumes are not calls: 7 calls of 4 resumes each, counted up to 5.
    numbers = store.summary("pkg/mod.py", "numbers")
    assert numbers is not None and (numbers.seen, numbers.stored, numbers.uncapturable) == (
        5,
        0,
        5,
    )


VISITS = """
import sys
from pkg.mod import visit
for i in range(1000):
    visit(f"{i:04d}", "x" * 100)
print(sys.getprofile() is not None)
"""


def visited(db: Path) -> list[int]:
    return [int(args[0]) for args, _ in decoded(CaptureStore(db).calls("pkg/mod.py", "visit"))]


def test_calls_are_sampled_across_the_whole_run(project: Path) -> None:
    (project / "visits.py").write_text(VISITS)
    result, db = run_capture(project, ["visits.py"], {"max_calls": 16}, ["visit"])
    assert result.returncode == 0, result.stderr
    # 1000 calls are fewer than max_seen (100 * 16): the hook is still installed.
    assert result.stdout == "True\n"
    summary = CaptureStore(db).summary("pkg/mod.py", "visit")
    assert summary == CaptureSummary("pkg/mod.py", "visit", 1000, 16, 0, ())
    first = visited(db)
    assert first[:8] == list(range(8))
    later = first[8:]
    assert later == sorted(set(later)) and all(8 <= i < 1000 for i in later)
    assert sum(i >= 500 for i in later) >= 2
    blobs = CaptureStore(db).calls("pkg/mod.py", "visit")
    assert len({len(b) for b in blobs}) == 1  # every call pickles to the same size
    # Each of the 8 first calls stands for itself; each sampled call for 992 / 8 of the rest.
    assert CaptureStore(db).weights("pkg/mod.py", "visit") == [1.0] * 8 + [124.0] * 8

    # Seeded: a second run of the same workload stores exactly the same calls. With
    # room for exactly 16 such calls, replacements still fit: a replaced slot frees its
    # bytes.
    bound = 16 * len(blobs[0])
    result, db = run_capture(
        project, ["visits.py"], {"max_calls": 16, "max_total_bytes": bound}, ["visit"]
    )
    assert result.returncode == 0, result.stderr
    assert CaptureStore(db).calls("pkg/mod.py", "visit") == blobs

    # One byte less: the 16th call no longer fits. The reservoir closes at 7 slots, and
    # replacements (the same size) still fit: that one call is the only one refused.
    result, db = run_capture(
        project, ["visits.py"], {"max_calls": 16, "max_total_bytes": bound - 1}, ["visit"]
    )
    assert result.returncode == 0, result.stderr
    store = CaptureStore(db)
    summary = store.summary("pkg/mod.py", "visit")
    assert summary is not None and (summary.stored, summary.uncapturable) == (15, 1)
    assert summary.reasons == (f"over the {bound - 1} bytes stored per function (1 calls)",)
    kept = visited(db)
    assert kept[:8] == list(range(8)) and kept[-1] >= 500
    assert sum(len(b) for b in store.calls("pkg/mod.py", "visit")) <= bound - 1

    # Room for 3 calls: the 4th closes the head, the 5th the reservoir; the other 995
    # calls are never pickled (the old tracer pickled and refused every one of them).
    result, db = run_capture(
        project,
        ["visits.py"],
        {"max_calls": 16, "max_total_bytes": 3 * len(blobs[0])},
        ["visit"],
    )
    assert result.returncode == 0, result.stderr
    summary = CaptureStore(db).summary("pkg/mod.py", "visit")
    assert summary is not None and (summary.seen, summary.stored, summary.uncapturable) == (
        1000,
        3,
        2,
    )
    assert visited(db) == [0, 1, 2]


def test_bigger_late_calls_never_push_past_the_total_bound(project: Path) -> None:
    (project / "grow.py").write_text(
        "from pkg.mod import visit\n"
        "for i in range(1000):\n"
        "    visit(i, 'x' * (10 if i < 100 else 400))\n"
    )
    result, db = run_capture(
        project, ["grow.py"], {"max_calls": 8, "max_total_bytes": 1200}, ["visit"]
    )
    assert result.returncode == 0, result.stderr
    store = CaptureStore(db)
    summary = store.summary("pkg/mod.py", "visit")
    assert summary is not None and summary.stored == 8
    blobs = store.calls("pkg/mod.py", "visit")
    assert sum(len(b) for b in blobs) <= 1200
    keys = [args[0] for args, _ in decoded(blobs)]
    assert keys[:4] == [0, 1, 2, 3] and keys == sorted(keys)
    # Some big late calls replaced small ones until the bound stopped the rest.
    assert any(k >= 100 for k in keys)
    assert summary.uncapturable >= 1
    assert any("over the 1200 bytes stored per function" in r for r in summary.reasons)


def test_a_sampled_call_that_cannot_be_stored_leaves_its_slot_as_it_was(project: Path) -> None:
    (project / "mixed.py").write_text(
        "import threading\n"
        "from pkg.mod import takes\n"
        "for i in range(300):\n"
        "    takes(threading.Lock() if i % 2 else i)\n"
    )
    result, db = run_capture(project, ["mixed.py"], {"max_calls": 8}, ["takes"])
    assert result.returncode == 0, result.stderr
    store = CaptureStore(db)
    summary = store.summary("pkg/mod.py", "takes")
    assert summary is not None and (summary.seen, summary.stored) == (300, 8)
    kept = [args[0] for args, _ in decoded(store.calls("pkg/mod.py", "takes"))]
    # Only even (picklable) calls are stored: the first four, then four later ones.
    assert kept[:4] == [0, 2, 4, 6] and kept == sorted(set(kept)) and kept[-1] > 20
    assert all(k % 2 == 0 for k in kept)
    # Odd calls offered to the head or the reservoir were counted, and only those: at
    # least 3 while the head filled and 3 while the reservoir filled, never all 150.
    [reason] = summary.reasons
    assert reason.startswith("unpicklable arguments: TypeError")
    assert reason.endswith(f"({summary.uncapturable} calls)")
    assert 6 <= summary.uncapturable < 150


LEDGER = """
from pkg.mod import ever_overdrawn
balances = []
balance = 100
for day in range(400):
    # The account dips below zero once, on day 300, and recovers the next day.
    balance += -500 if day == 299 else (250 if day == 300 else 1)
    balances.append(balance)
    ever_overdrawn(list(balances))
"""


def test_a_rewrite_wrong_only_on_late_calls_is_caught(project: Path, tmp_path: Path) -> None:
    """Checking only the last balance equals ``any(b < 0 ...)`` (on empty and one-item
    lists too) until the account was once overdrawn (day 300 of 400): replaying only the
    first 64 calls would verify the rewrite."""
    from eco.verify.replay import compare, replay

    (project / "ledger.py").write_text(LEDGER)
    candidate = tmp_path / "candidate"
    candidate.mkdir()
    (candidate / "pkg").mkdir()
    (candidate / "pkg" / "__init__.py").write_text("")
    rewritten = textwrap.dedent(MOD).replace(
        "return any(b < 0 for b in balances)", "return bool(balances) and balances[-1] < 0"
    )
    assert rewritten != textwrap.dedent(MOD)
    (candidate / "pkg" / "mod.py").write_text(rewritten)
    limits = Limits(timeout_s=60)

    def mismatches(spec_kwargs: dict[str, Any]) -> tuple[int, list[int]]:
        result, db = run_capture(project, ["ledger.py"], spec_kwargs, ["ever_overdrawn"])
        assert result.returncode == 0, result.stderr
        calls = CaptureStore(db).calls("pkg/mod.py", "ever_overdrawn")
        days = [len(args[0]) for args, _ in decoded(calls)]
        base = replay(project, "pkg/mod.py", "ever_overdrawn", calls, tmp_path / "b", limits)
        cand = replay(candidate, "pkg/mod.py", "ever_overdrawn", calls, tmp_path / "c", limits)
        assert base.ok and cand.ok, (base.error, cand.error)
        return compare(base, cand).mismatches, days

    # The default sampling replays some of the late calls (seeded: always the same ones).
    found, days = mismatches({"max_calls": 64})
    assert len(days) == 64 and found == sum(day > 300 for day in days) > 0
    # The old capture, the first 64 calls only (what max_seen=64 amounts to), misses it.
    found, days = mismatches({"max_calls": 64, "max_seen": 64})
    assert days == list(range(1, 65)) and found == 0


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
    assert store.weights("a.py", "f") == [1.0, 1.0]
    assert store.summary("a.py", "f") == s
    assert store.summary("a.py", "g") is None
    assert store.calls("a.py", "g") == []
    write_store(db, [])
    assert CaptureStore(db).summaries() == []
    assert [p.name for p in db.parent.iterdir()] == ["c.sqlite"]
    write_store(db, [FunctionCapture(s, (b"one", b"two"), (1.0, 7.5))])
    assert CaptureStore(db).weights("a.py", "f") == [1.0, 7.5]


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
