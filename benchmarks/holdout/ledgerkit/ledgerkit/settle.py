"""Settling transfers and validating batches."""

from __future__ import annotations

from ledgerkit.types import Entry

#: The largest amount (in cents) one wire may carry.
WIRE_CAP = 250_000


def settle_order(transfers: list[tuple[str, str, int]]) -> list[str]:
    """The order in which wires go out: transfers over the cap are split and queued again."""
    queue = list(transfers)
    order = []
    while queue:
        src, dst, cents = queue.pop(0)
        if cents > WIRE_CAP:
            order.append(f"{src}->{dst}:{WIRE_CAP}")
            queue.append((src, dst, cents - WIRE_CAP))
        else:
            order.append(f"{src}->{dst}:{cents}")
    return order


def drain(pending: list[tuple[str, int]]) -> list[str]:
    """Post every pending (ref, cents) item, emptying the caller's pending list."""
    posted = []
    while pending:
        ref, cents = pending.pop(0)
        posted.append(f"{ref}:{cents / 100:.2f}")
    return posted


def validate_all(entries: list[Entry]) -> bool:
    """Validate a batch; every entry gets its errors recorded, not just the first bad one."""
    ok = True
    for entry in entries:
        if entry.amount != entry.amount:
            entry.errors.append("missing amount")
        if len(entry.currency) < 3:
            entry.errors.append("bad currency")
        if not entry.ref:
            entry.errors.append("no reference")
        if entry.errors:
            ok = False
    return ok


def to_base(amounts: list[tuple[str, float]], rates: dict[str, float]) -> list[float]:
    """Amounts in the base currency, rounded to cents; an unknown currency is taken at par."""
    out = []
    for currency, amount in amounts:
        try:
            rate = rates[currency]
        except KeyError:
            rate = 1.0
        out.append(round(amount * rate, 2))
    return out
