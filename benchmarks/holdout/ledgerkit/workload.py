"""A month of ledger exports run through ledgerkit: what eco profiles.

The exports are generated (seeded) to look like what the bank sends: mostly clean
postings, some with a missing amount, a repeated reference now and then, wires on
sub-channels (``USD.wire``) and a watch list typed by hand in mixed case.
"""

from __future__ import annotations

import contextlib
import random

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
from ledgerkit.settle import drain, settle_order, to_base, validate_all
from ledgerkit.types import AccountCode, Entry, RateTable, SafeText

ACCOUNTS = [f"ACC-{i:04d}" for i in range(400)]
CATEGORIES = ["groceries", "rent", "payroll", "fees", "travel", "utilities", "xfer", "sweep",
              "transfer", "refund", "interest", "tax", "office", "software"]
CURRENCIES = ["EUR", "USD", "GBP", "CHF", "USD.wire", "EUR.sepa", "JPY", "GBP.chaps", "SEK"]
MEMOS = ["Fees & charges", "Rent <March>", "Payroll run", "Travel & subsistence", "Refund",
         "Office supplies", "Interest", "Tax & duties"]


def make_batch(rng: random.Random, size: int, batch_no: int) -> list[Entry]:
    """One export file: ``size`` postings of one day."""
    day = 1 + batch_no % 28
    entries = []
    for i in range(size):
        magnitude = rng.choice((1.0, 10.0, 100.0, 1000.0, 100000.0, 10000000.0))
        amount = round(rng.uniform(-1.0, 1.0) * magnitude, 2) + rng.choice((0.1, 0.2, 0.3, 0.0))
        if rng.random() < 0.01:
            amount = parse_amount("")  # the bank left the field empty
        ref = f"R{batch_no:03d}{rng.randrange(10 * size):05d}"
        entries.append(Entry(
            date=f"2024-{1 + batch_no % 12:02d}-{day:02d}",
            account=rng.choice(ACCOUNTS),
            category=rng.choice(CATEGORIES),
            amount=amount,
            currency=rng.choice(CURRENCIES),
            ref=ref if rng.random() > 0.00005 or i == 0 else entries[0].ref,
            memo=rng.choice(MEMOS),
        ))
    return entries


def export_lines(entries: list[Entry]) -> list[str]:
    lines = []
    for e in entries:
        amount = "" if e.amount != e.amount else f"{e.amount:.2f}"
        lines.append(f"{e.date}  {e.account}  {amount}  {e.currency}  {e.ref}  {e.memo}")
    return lines


def build(seed: int = 2024, batches: int = 24, size: int = 500) -> list[list[Entry]]:
    rng = random.Random(seed)
    return [make_batch(rng, size, b) for b in range(batches)]


def main() -> None:
    rng = random.Random(99)
    month = build()
    allowed = rng.sample(ACCOUNTS, 80)
    # The watch list comes from a hand-edited config file: codes in any case.
    watch = [AccountCode(code.lower() if i % 2 else code) for i, code in enumerate(rng.sample(ACCOUNTS, 24))]
    rates = RateTable({"EUR": 1.0, "USD": 0.92, "GBP": 1.17, "CHF": 1.04, "JPY": 0.0061})
    tally: dict[str, float] = {}
    to_date: list[Entry] = []
    for batch in month:
        to_date.extend(batch)
        lines = export_lines(batch)
        rows = parse_lines(lines)
        for date, _account, amount_text, _currency, _ref in rows:
            month_key(date)
            parse_amount(amount_text)
        codes = [e.account for e in batch]
        select_accounts(codes, allowed)
        watched_positions(codes[:150], watch)
        # Month-to-date figures, refreshed after every export.
        categories = [e.category for e in to_date]
        count_transfers(categories)
        count_by_category(categories)
        mtd = [e.amount for e in to_date]
        stable_total(mtd)
        smallest_amount(mtd)
        has_overdraft(mtd, 5_000_000.0)
        amounts = [e.amount for e in batch]
        # The category table: one row of figures per category, and one for the whole day.
        groups: dict[str, list[float]] = {}
        for e in batch:
            groups.setdefault(e.category, []).append(e.amount)
        for figures in [amounts, *groups.values()]:
            stable_total(figures)
            smallest_amount(figures)
            top_expenses(figures, 10)
            has_overdraft(figures, 5_000_000.0)
        totals_by_account(to_date)
        for account, total in totals_by_account(batch).items():
            tally[account] = tally.get(account, 0.0) + total
        to_base([(e.currency, e.amount) for e in batch], rates)
        validate_all(batch)
        unique_refs([e.ref for e in batch[:150]] * 2)
        with contextlib.suppress(DuplicateRefError):
            index_by_ref(to_date)
        pending = [(e.ref, int(e.amount * 100)) for e in batch if e.amount == e.amount and e.amount > 0]
        drain(pending)
        assert not pending
        settle_order([(e.account, e.ref, int(abs(e.amount) * 100)) for e in batch[:100] if e.amount == e.amount and abs(e.amount) < 1_000_000])
        render_csv([[e.date, e.account, e.ref, e.currency] for e in batch])
        header = SafeText("<h2>Batch summary</h2>")
        render_lines([header] + [f"{e.ref} {e.memo}" for e in batch])
        # How many ways the day's petty-cash float can be made up, for the cash report.
        change_ways(30 + 5 * (len(tally) % 4), (50, 20, 10, 5, 2, 1))


if __name__ == "__main__":
    main()
