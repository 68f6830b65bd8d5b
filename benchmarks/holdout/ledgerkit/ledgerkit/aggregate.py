"""Totals and extremes."""

from __future__ import annotations

import heapq
from collections import defaultdict

from ledgerkit.types import Entry


def totals_by_account(entries: list[Entry]) -> dict[str, float]:
    """Sum of amounts per account."""
    totals: defaultdict[str, float] = defaultdict(float)
    for e in entries:
        totals[e.account] += e.amount
    return dict(totals)


def stable_total(amounts: list[float]) -> float:
    """The total, added smallest magnitude first so that it does not depend on row order."""
    total = 0.0
    for a in sorted(amounts, key=abs):
        total += a
    return total


def has_overdraft(balances: list[float], limit: float) -> bool:
    """Whether any balance is below the overdraft limit."""
    return any([b < -limit for b in balances])


def smallest_amount(amounts: list[float]) -> float:
    """The most negative posting of a batch (the batch's largest expense)."""
    return sorted(amounts)[0]


def top_expenses(amounts: list[float], n: int) -> list[float]:
    """The ``n`` most negative amounts, most negative first."""
    return heapq.nsmallest(n, amounts)


def change_ways(amount: int, coins: tuple[int, ...]) -> int:
    """Ways to pay ``amount`` cents with the given coin values (order does not matter)."""
    if amount == 0:
        return 1
    if amount < 0 or not coins:
        return 0
    return change_ways(amount - coins[0], coins) + change_ways(amount, coins[1:])
