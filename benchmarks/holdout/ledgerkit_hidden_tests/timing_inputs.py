"""The calls the independent timing replays: built like workload.py builds them.

``calls(name)`` returns argument tuples for one hot function, taken from the same
generated month the workload processes, all of it: the calls of a month's first exports
are not the workload's (month-to-date lists grow, and the first overdraft comes late), so
timing only those would judge eco's claims against another mix of inputs.
``MUTATES`` names the functions that change their arguments: the timer gives them a
fresh deep copy for every call, made outside the timed region.
"""

from __future__ import annotations

import random
from typing import Any

import workload
from ledgerkit.types import AccountCode, Entry, RateTable, SafeText

MUTATES = frozenset({"drain", "validate_all"})


def calls(name: str) -> list[tuple[Any, ...]]:
    rng = random.Random(99)
    month = workload.build()
    allowed = rng.sample(workload.ACCOUNTS, 80)
    watch = [AccountCode(c.lower() if i % 2 else c) for i, c in enumerate(rng.sample(workload.ACCOUNTS, 24))]
    rates = RateTable({"EUR": 1.0, "USD": 0.92, "GBP": 1.17, "CHF": 1.04, "JPY": 0.0061})
    to_date: list[list[Entry]] = []
    running: list[Entry] = []
    for batch in month:
        running = running + batch
        to_date.append(running)
    groups: list[list[float]] = []
    for batch in month:
        by_cat: dict[str, list[float]] = {}
        for e in batch:
            by_cat.setdefault(e.category, []).append(e.amount)
        groups += [[e.amount for e in batch], *by_cat.values()]
    mtd_amounts = [[e.amount for e in entries] for entries in to_date]
    lines = [workload.export_lines(b) for b in month]
    table: dict[str, list[tuple[Any, ...]]] = {
        "parse_lines": [(x,) for x in lines],
        "parse_amount": [("" if e.amount != e.amount else f"{e.amount:,.2f}",) for e in month[0]],
        "month_key": [(e.date,) for e in month[0]],
        "unique_refs": [([e.ref for e in b[:150]] * 2,) for b in month],
        "index_by_ref": [(entries,) for entries in to_date],
        "select_accounts": [([e.account for e in b], allowed) for b in month],
        "watched_positions": [([e.account for e in b][:150], watch) for b in month],
        "count_transfers": [([e.category for e in entries],) for entries in to_date],
        "count_by_category": [([e.category for e in entries],) for entries in to_date],
        "stable_total": [(a,) for a in mtd_amounts + groups],
        "smallest_amount": [(a,) for a in mtd_amounts + groups],
        "has_overdraft": [(a, 5_000_000.0) for a in mtd_amounts + groups],
        "top_expenses": [(a, 10) for a in groups],
        "totals_by_account": [(entries,) for entries in to_date] + [(b,) for b in month],
        "to_base": [([(e.currency, e.amount) for e in b], rates) for b in month],
        "validate_all": [(b,) for b in month],
        "drain": [([(e.ref, int(e.amount * 100)) for e in b if e.amount == e.amount and e.amount > 0],) for b in month],
        "settle_order": [([(e.account, e.ref, int(abs(e.amount) * 100)) for e in b[:100]
                           if e.amount == e.amount and abs(e.amount) < 1_000_000],) for b in month],
        "render_csv": [([[e.date, e.account, e.ref, e.currency] for e in b],) for b in month],
        "render_lines": [([SafeText("<h2>Batch summary</h2>")] + [f"{e.ref} {e.memo}" for e in b],) for b in month],
        "change_ways": [(30 + 5 * (len(seen) % 4), (50, 20, 10, 5, 2, 1)) for seen in _accounts_seen()],
    }
    return table.get(name, [])


def _accounts_seen() -> list[set[str]]:
    """The workload's tally keys after each export: what its change_ways calls depend on."""
    seen: set[str] = set()
    out = []
    for batch in workload.build():
        seen |= {e.account for e in batch}
        out.append(set(seen))
    return out
