"""ledgerkit's own tests: the behaviour its users rely on."""

import math

import pytest
from ledgerkit.accounts import (
    count_by_category,
    count_transfers,
    select_accounts,
    watched_positions,
)
from ledgerkit.aggregate import (
    change_ways,
    has_overdraft,
    smallest_amount,
    stable_total,
    top_expenses,
    totals_by_account,
)
from ledgerkit.parse import (
    DuplicateRefError,
    index_by_ref,
    month_key,
    parse_amount,
    parse_lines,
    unique_refs,
)
from ledgerkit.report import render_csv, render_lines
from ledgerkit.settle import WIRE_CAP, drain, settle_order, to_base, validate_all
from ledgerkit.types import Entry


def entry(ref: str = "R1", amount: float = 10.0, account: str = "ACC-0001", currency: str = "EUR") -> Entry:
    return Entry("2024-03-01", account, "fees", amount, currency, ref)


def test_parse_lines_reads_postings_and_skips_junk() -> None:
    lines = ["2024-03-01  ACC-0001  -12.50  EUR  R1  Fees", "garbage", "2024-03-02 ACC-0002 7 USD.wire R2"]
    assert parse_lines(lines) == [("2024-03-01", "ACC-0001", "-12.50", "EUR", "R1"),
                                  ("2024-03-02", "ACC-0002", "7", "USD.wire", "R2")]


def test_parse_amount() -> None:
    assert parse_amount("1,204.50") == 1204.5
    assert math.isnan(parse_amount(""))


def test_month_key() -> None:
    assert month_key("2024-03-17") == "2024-03"


def test_unique_refs_drops_repeats() -> None:
    assert sorted(unique_refs(["b", "a", "b", "c", "a"])) == ["a", "b", "c"]
    assert unique_refs([]) == []


def test_index_by_ref() -> None:
    a, b = entry("r1"), entry(" R2 ")
    assert index_by_ref([a, b]) == {"R1": a, "R2": b}


def test_index_by_ref_rejects_repeats() -> None:
    with pytest.raises(DuplicateRefError):
        index_by_ref([entry("R1"), entry("r1")])


def test_select_accounts() -> None:
    assert select_accounts(["A", "B", "A", "C"], ["A", "C"]) == ["A", "A", "C"]


def test_watched_positions() -> None:
    assert watched_positions(["ACC-1", "ACC-2", "ACC-1"], ["ACC-1"]) == [0, 2]


def test_counts() -> None:
    assert count_transfers(["xfer", "rent", "sweep", "transfer"]) == 3
    assert count_by_category(["rent", "fees", "rent"]) == {"rent": 2, "fees": 1}


def test_totals_by_account() -> None:
    assert totals_by_account([entry(amount=1.0), entry(amount=2.0, account="ACC-0002"), entry(amount=3.0)]) == {
        "ACC-0001": 4.0, "ACC-0002": 2.0}


def test_stable_total() -> None:
    assert stable_total([1.0, -2.0, 4.0]) == 3.0
    assert stable_total([]) == 0.0


def test_extremes() -> None:
    assert smallest_amount([3.0, -5.0, 2.0]) == -5.0
    assert top_expenses([3.0, -5.0, 2.0, -1.0], 2) == [-5.0, -1.0]
    assert has_overdraft([10.0, -200.0], 100.0)
    assert not has_overdraft([10.0, -20.0], 100.0)


def test_change_ways() -> None:
    assert change_ways(5, (5, 2, 1)) == 4
    assert change_ways(0, (1,)) == 1


def test_render() -> None:
    assert render_csv([["a", "b"], ["c", "d"]]) == "a,b\nc,d\n"
    assert render_lines(["one", "two"]) == "one\ntwo\n"


def test_settle_order_splits_big_wires() -> None:
    order = settle_order([("A", "B", WIRE_CAP + 5), ("C", "D", 7)])
    assert order == [f"A->B:{WIRE_CAP}", "C->D:7", "A->B:5"]


def test_drain() -> None:
    assert drain([("R1", 1050), ("R2", 5)]) == ["R1:10.50", "R2:0.05"]


def test_validate_all() -> None:
    assert validate_all([entry(), entry("R2")])
    bad = entry(currency="E")
    assert not validate_all([entry(), bad])
    assert bad.errors == ["bad currency"]


def test_to_base() -> None:
    assert to_base([("USD", 10.0), ("XXX", 3.0)], {"USD": 0.5}) == [5.0, 3.0]
