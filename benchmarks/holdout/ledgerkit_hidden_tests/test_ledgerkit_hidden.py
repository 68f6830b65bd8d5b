"""Pin every hot function's exact behaviour, trap inputs included.

Two kinds of checks: literal cases for the inputs whose obvious rewrite changes the
answer, and a differential check of every function against the frozen reference on
workload-like data plus edge cases (results with their exact types and order, raised
exceptions, and what the function does to its arguments).
"""

from __future__ import annotations

import copy
import math
import random
from collections.abc import Callable
from typing import Any

import ledgerkit_ref.accounts as ref_accounts
import ledgerkit_ref.aggregate as ref_aggregate
import ledgerkit_ref.parse as ref_parse
import ledgerkit_ref.report as ref_report
import ledgerkit_ref.settle as ref_settle
import pytest
import workload
from ledgerkit import accounts, aggregate, parse, report, settle
from ledgerkit.types import AccountCode, Entry, RateTable, SafeText

NAN = float("nan")


def same(a: Any, b: Any) -> bool:
    """Equal values of the same types, in the same order; NaN equals NaN."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b))
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, Entry):
        return all(same(getattr(a, f), getattr(b, f)) for f in a.__dataclass_fields__)
    return bool(a == b) and str(a) == str(b)


def outcome(fn: Callable[..., Any], args: tuple[Any, ...]) -> tuple[str, Any, tuple[Any, ...]]:
    """What a call does: its result or exception, and its arguments afterwards."""
    args = copy.deepcopy(args)
    try:
        return "ok", fn(*args), args
    except Exception as exc:  # the reference's exceptions are part of the behaviour
        return "raise", (type(exc).__name__, exc.args), args


def check(fn: Callable[..., Any], ref: Callable[..., Any], cases: list[tuple[Any, ...]]) -> None:
    for args in cases:
        got, want = outcome(fn, args), outcome(ref, args)
        assert got[0] == want[0], (fn.__name__, args, got[1], want[1])
        assert same(got[1], want[1]), (fn.__name__, got[1], want[1])
        assert same(list(got[2]), list(want[2])), (fn.__name__, "arguments changed differently")


# -- data -----------------------------------------------------------------------------

MONTH = workload.build(seed=7, batches=6, size=300)
RNG = random.Random(11)
AMOUNTS = [[e.amount for e in batch] for batch in MONTH]
NAN_AMOUNTS = [[NAN, 3.0, -2.0], [3.0, NAN, -2.0, 1.0], [5.0, -1.0, NAN], [NAN], [NAN, NAN, 1.0],
               [1e16, 1.0, -1e16, 0.1, 0.2, 0.3], [0.1] * 10 + [1e9], [-0.0, 0.0], [0.0, -0.0]]
CODES = [[e.account for e in batch] for batch in MONTH]
WATCH = [AccountCode(c.lower()) for c in RNG.sample(workload.ACCOUNTS, 20)]


def test_watch_list_is_case_insensitive_and_unhashable() -> None:
    assert accounts.watched_positions(["ACC-0001", "X", "acc-0001"], [AccountCode("acc-0001")]) == [0, 2]
    assert accounts.watched_positions(["ACC-0001"], [AccountCode("ACC-0001"), ["not", "hashable"]]) == [0]


def test_render_lines_escapes_after_a_safe_header() -> None:
    lines = [SafeText("<h2>Sum</h2>"), "Fees & charges", "Rent <March>"]
    out = report.render_lines(lines)
    assert out == "<h2>Sum</h2>\nFees &amp; charges\nRent &lt;March&gt;\n"
    assert type(out) is SafeText
    assert report.render_lines(["a & b"]) == "a & b\n"


def test_unique_refs_keeps_first_occurrence_order() -> None:
    assert parse.unique_refs(["b", "a", "b", "c", "a"]) == ["b", "a", "c"]


def test_stable_total_adds_smallest_magnitude_first() -> None:
    assert aggregate.stable_total([1e16, 1.0, -1e16, 1.0]) == 2.0
    assert aggregate.stable_total([0.1, 0.2, 0.3]) == 0.6000000000000001
    assert type(aggregate.stable_total([])) is float


def test_validate_all_records_every_error() -> None:
    bad1, good, bad2 = Entry("d", "a", "c", NAN, "EUR", "r"), Entry("d", "a", "c", 1.0, "EUR", "r"), Entry("d", "a", "c", 1.0, "E", "")
    assert settle.validate_all([bad1, good, bad2]) is False
    assert bad1.errors == ["missing amount"] and good.errors == [] and bad2.errors == ["bad currency", "no reference"]


def test_to_base_uses_the_rate_tables_fallback() -> None:
    rates = RateTable({"USD": 0.5})
    assert settle.to_base([("USD.wire", 10.0), ("XXX", 3.0)], rates) == [5.0, 3.0]


def test_smallest_amount_with_missing_amounts() -> None:
    for amounts in NAN_AMOUNTS:
        assert same(aggregate.smallest_amount(list(amounts)), ref_aggregate.smallest_amount(list(amounts))), amounts
    with pytest.raises(IndexError):
        aggregate.smallest_amount([])


def test_drain_empties_the_callers_list() -> None:
    pending = [("R1", 100), ("R2", 250)]
    assert settle.drain(pending) == ["R1:1.00", "R2:2.50"]
    assert pending == []


def test_index_by_ref_refuses_repeats() -> None:
    a, b = Entry("d", "a", "c", 1.0, "EUR", " r1"), Entry("d", "a", "c", 1.0, "EUR", "R1 ")
    with pytest.raises(parse.DuplicateRefError) as info:
        parse.index_by_ref([a, b])
    assert info.value.args == ("R1",)


# -- differential, every function ------------------------------------------------------

def test_parse_functions() -> None:
    lines = [workload.export_lines(batch) for batch in MONTH] + [["", "junk", "2024-01-01 ACC-1 5 EUR R"]]
    check(parse.parse_lines, ref_parse.parse_lines, [(x,) for x in lines])
    texts = ["", "0", "1,204.50", "-3", "1e3", " 7 ", "nan", "-0"]
    check(parse.parse_amount, ref_parse.parse_amount, [(t,) for t in texts] + [(None,), ("x",)])
    check(parse.month_key, ref_parse.month_key, [("2024-03-17",), ("",), ("2024",), ("2024-3-5",), ("20240317",)])
    refs = [[e.ref for e in batch] * 2 for batch in MONTH] + [[], ["a"], ["b", "a", "b"], [1, 1.0, True, "1"]]
    check(parse.unique_refs, ref_parse.unique_refs, [(r,) for r in refs])
    dup = [Entry("d", "a", "c", 1.0, "EUR", r) for r in ("a", "b", " A")]
    check(parse.index_by_ref, ref_parse.index_by_ref, [(b,) for b in MONTH] + [(dup,), ([],)])


def test_accounts_functions() -> None:
    allowed = RNG.sample(workload.ACCOUNTS, 80)
    check(accounts.select_accounts, ref_accounts.select_accounts, [(c, allowed) for c in CODES] + [([], []), (["A"], [])])
    watches = [WATCH, [AccountCode("ACC-0001"), "acc-0002"], [], [["x"], "ACC-0003"]]
    check(accounts.watched_positions, ref_accounts.watched_positions,
          [(c, w) for c in CODES[:2] for w in watches] + [(["ACC-0003", "x"], [["x"], "ACC-0003"])])
    kinds = [[e.category for e in batch] for batch in MONTH] + [[], ["XFER", "xfer ", "sweep"]]
    check(accounts.count_transfers, ref_accounts.count_transfers, [(k,) for k in kinds])
    check(accounts.count_by_category, ref_accounts.count_by_category, [(k,) for k in kinds] + [([1, 1.0, True],)])


def test_aggregate_functions() -> None:
    amounts = AMOUNTS + NAN_AMOUNTS + [[], [1], [3, 1.5, -2]]
    check(aggregate.stable_total, ref_aggregate.stable_total, [(a,) for a in amounts])
    check(aggregate.smallest_amount, ref_aggregate.smallest_amount, [(a,) for a in amounts])
    check(aggregate.top_expenses, ref_aggregate.top_expenses, [(a, n) for a in amounts for n in (0, 1, 10)])
    check(aggregate.has_overdraft, ref_aggregate.has_overdraft, [(a, 1000.0) for a in amounts] + [(a, -1.0) for a in amounts])
    check(aggregate.totals_by_account, ref_aggregate.totals_by_account, [(b,) for b in MONTH] + [([],)])
    coins = (50, 20, 10, 5, 2, 1)
    check(aggregate.change_ways, ref_aggregate.change_ways, [(n, coins) for n in (0, 1, 7, 30, 45)] + [(-3, coins), (5, ())])
    assert aggregate.change_ways(30, (50, 20, 10, 5, 2, 1)) == ref_aggregate.change_ways(30, (50, 20, 10, 5, 2, 1))


def test_report_functions() -> None:
    rows = [[[e.date, e.account, e.ref, e.currency] for e in batch] for batch in MONTH] + [[], [[]], [["a"]]]
    check(report.render_csv, ref_report.render_csv, [(r,) for r in rows])
    lines = [[SafeText("<h2>Batch</h2>")] + [f"{e.ref} {e.memo}" for e in batch] for batch in MONTH]
    lines += [[f"{e.ref} {e.memo}" for e in batch] for batch in MONTH[:2]] + [[], ["a & b", SafeText("<i>")]]
    check(report.render_lines, ref_report.render_lines, [(x,) for x in lines])


def test_settle_functions() -> None:
    transfers = [[(e.account, e.ref, int(abs(e.amount) * 100)) for e in batch[:80] if e.amount == e.amount]
                 for batch in MONTH] + [[], [("A", "B", 0)], [("A", "B", 10**7), ("C", "D", 1)]]
    check(settle.settle_order, ref_settle.settle_order, [(t,) for t in transfers])
    pending = [[(e.ref, int(e.amount * 100)) for e in batch if e.amount == e.amount] for batch in MONTH]
    check(settle.drain, ref_settle.drain, [(p,) for p in pending] + [([],), ([("R", "x"), ("S", 1)],)])
    bad = [Entry("d", "a", "c", NAN, "EUR", "r"), Entry("d", "a", "c", 1.0, "EUR", "r"), Entry("d", "a", "c", 1.0, "E", "")]
    check(settle.validate_all, ref_settle.validate_all, [(b,) for b in MONTH] + [(bad,), ([],)])
    rates = RateTable({"EUR": 1.0, "USD": 0.92, "GBP": 1.17, "CHF": 1.04, "JPY": 0.0061})
    pairs = [[(e.currency, e.amount) for e in batch] for batch in MONTH]
    check(settle.to_base, ref_settle.to_base, [(p, rates) for p in pairs] + [(p, dict(rates)) for p in pairs[:2]]
          + [([("USD", 1.0)], {"USD": "x"})])
