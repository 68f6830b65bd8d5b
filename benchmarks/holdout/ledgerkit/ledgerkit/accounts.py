"""Which accounts to look at."""

from __future__ import annotations


def select_accounts(codes: list[str], allowed: list[str]) -> list[str]:
    """The codes (in order, with repeats) that are on the allow-list."""
    return [code for code in codes if code in allowed]


def watched_positions(codes: list[str], watch: list[str]) -> list[int]:
    """Positions of the postings whose account is on the watch list."""
    hits = []
    for i, code in enumerate(codes):
        if code in watch:
            hits.append(i)
    return hits


def count_transfers(kinds: list[str]) -> int:
    """How many postings are internal transfers."""
    n = 0
    for kind in kinds:
        if kind == "xfer" or kind == "transfer" or kind == "sweep":
            n += 1
    return n


def count_by_category(categories: list[str]) -> dict[str, int]:
    """Postings per category."""
    counts = {}
    for cat in categories:
        if cat in counts:
            counts[cat] += 1
        else:
            counts[cat] = 1
    return counts
