"""What each ledgerkit hot function is, and what the adversarial model answers for it.

``CATEGORY`` says what the benchmark planted in each function: a genuine ``anti-pattern``
(a faster rewrite with the same behaviour exists), a ``trap`` (looks like an anti-pattern,
but the obvious rewrite changes what real workload inputs get) or ``optimal`` (nothing
to gain). ``VARIANTS`` holds the adversarial model's answers per function: ``tempting``
rewrites change behaviour (some only on inputs the visible tests and the first captured
calls do not hold), ``correct`` ones keep it (faster where a faster one exists; for
optimal functions a same-speed reformulation). The benchmark's self-check proves the
labels: every tempting variant fails the hidden tests, every correct one passes them.
"""

from __future__ import annotations

CATEGORY: dict[str, str] = {
    # genuine anti-patterns
    "parse_lines": "anti-pattern",        # re.match with a literal pattern in a loop
    "select_accounts": "anti-pattern",    # membership in a list parameter in a comprehension
    "count_transfers": "anti-pattern",    # x == a or x == b or x == c in a loop
    "count_by_category": "anti-pattern",  # counting with `if k in d` / else
    "has_overdraft": "anti-pattern",      # any([...]) over a list comprehension
    "change_ways": "anti-pattern",        # pure recursion without a cache
    "render_csv": "anti-pattern",         # str += in a loop
    "settle_order": "anti-pattern",       # list.pop(0) as a FIFO queue
    # traps
    "watched_positions": "trap",          # list of an unhashable str subclass (case-insensitive __eq__)
    "render_lines": "trap",               # += where a SafeText element escapes what follows
    "unique_refs": "trap",                # dedupe where first-occurrence order is the contract
    "stable_total": "trap",               # float sum whose order is the point
    "validate_all": "trap",               # "all" loop whose every iteration has side effects
    "to_base": "trap",                    # try/except KeyError on a dict with __missing__
    "smallest_amount": "trap",            # sorted()[0] on floats with NaN
    "drain": "trap",                      # pop(0) on the caller's list, which must end empty
    "index_by_ref": "trap",               # dict built in a loop that raises on a repeated key
    # already optimal
    "parse_amount": "optimal",
    "month_key": "optimal",
    "totals_by_account": "optimal",
    "top_expenses": "optimal",
    "AccountCode.__eq__": "optimal",
    "SafeText.__add__": "optimal",
    "SafeText.__radd__": "optimal",
    "RateTable.__missing__": "optimal",
}

_PATTERN = r'r"(\d{4}-\d{2}-\d{2})\s+([A-Za-z]+-\d+)\s+(-?\d+(?:\.\d+)?)\s+([A-Z]{3}(?:\.\w+)?)\s+(\S+)"'

VARIANTS: dict[str, dict[str, list[str]]] = {
    "parse_lines": {
        "tempting": ['''
def parse_lines(lines: list[str]) -> list[tuple[str, ...]]:
    """Split export lines into (date, account, amount, currency, ref); lines that do not match are skipped."""
    rows = []
    for line in lines:
        parts = line.split()
        if len(parts) >= 5:
            rows.append(tuple(parts[:5]))
    return rows
'''],
        "correct": [f'''
def parse_lines(lines: list[str]) -> list[tuple[str, ...]]:
    """Split export lines into (date, account, amount, currency, ref); lines that do not match are skipped."""
    match = re.compile({_PATTERN}).match
    rows = []
    for line in lines:
        m = match(line)
        if m is not None:
            rows.append(m.groups())
    return rows
'''],
    },
    "select_accounts": {
        "tempting": ['''
def select_accounts(codes: list[str], allowed: list[str]) -> list[str]:
    """The codes (in order, with repeats) that are on the allow-list."""
    keep = set(allowed)
    return [code for code in set(codes) if code in keep]
'''],
        "correct": ['''
def select_accounts(codes: list[str], allowed: list[str]) -> list[str]:
    """The codes (in order, with repeats) that are on the allow-list."""
    keep = set(allowed)
    return [code for code in codes if code in keep]
'''],
    },
    "count_transfers": {
        "tempting": ['''
def count_transfers(kinds: list[str]) -> int:
    """How many postings are internal transfers."""
    return sum(1 for kind in kinds if kind.lower() in ("xfer", "transfer", "sweep"))
'''],
        "correct": ['''
def count_transfers(kinds: list[str]) -> int:
    """How many postings are internal transfers."""
    n = 0
    for kind in kinds:
        if kind in {"xfer", "transfer", "sweep"}:
            n += 1
    return n
'''],
    },
    "count_by_category": {
        "tempting": ['''
def count_by_category(categories: list[str]) -> dict[str, int]:
    """Postings per category."""
    from collections import Counter

    return Counter(categories)
'''],
        "correct": ['''
def count_by_category(categories: list[str]) -> dict[str, int]:
    """Postings per category."""
    from collections import Counter

    return dict(Counter(categories))
'''],
    },
    "has_overdraft": {
        "tempting": ['''
def has_overdraft(balances: list[float], limit: float) -> bool:
    """Whether any balance is below the overdraft limit."""
    return bool(balances) and min(balances) < -limit
'''],
        "correct": ['''
def has_overdraft(balances: list[float], limit: float) -> bool:
    """Whether any balance is below the overdraft limit."""
    return any(b < -limit for b in balances)
'''],
    },
    "change_ways": {
        "tempting": ['''
def change_ways(amount: int, coins: tuple[int, ...]) -> int:
    """Ways to pay ``amount`` cents with the given coin values (order does not matter)."""
    ways = [1] + [0] * amount
    for coin in coins:
        for value in range(coin, amount + 1):
            ways[value] += ways[value - coin]
    return ways[amount]
'''],
        "correct": ['''
def change_ways(amount: int, coins: tuple[int, ...]) -> int:
    """Ways to pay ``amount`` cents with the given coin values (order does not matter)."""
    from functools import lru_cache

    @lru_cache(maxsize=None)
    def ways(left: int, start: int) -> int:
        if left == 0:
            return 1
        if left < 0 or start >= len(coins):
            return 0
        return ways(left - coins[start], start) + ways(left, start + 1)

    return ways(amount, 0)
'''],
    },
    "render_csv": {
        "tempting": ['''
def render_csv(rows: list[list[str]]) -> str:
    """Rows as CSV text (the fields are already clean: no commas or quotes)."""
    return "\\n".join(",".join(row) for row in rows) + "\\n"
'''],
        "correct": ['''
def render_csv(rows: list[list[str]]) -> str:
    """Rows as CSV text (the fields are already clean: no commas or quotes)."""
    return "".join([",".join(row) + "\\n" for row in rows])
'''],
    },
    "settle_order": {
        "tempting": ['''
def settle_order(transfers: list[tuple[str, str, int]]) -> list[str]:
    """The order in which wires go out: transfers over the cap are split and queued again."""
    order = []
    for src, dst, cents in transfers:
        while cents > WIRE_CAP:
            order.append(f"{src}->{dst}:{WIRE_CAP}")
            cents -= WIRE_CAP
        order.append(f"{src}->{dst}:{cents}")
    return order
'''],
        "correct": ['''
def settle_order(transfers: list[tuple[str, str, int]]) -> list[str]:
    """The order in which wires go out: transfers over the cap are split and queued again."""
    from collections import deque

    queue = deque(transfers)
    order = []
    while queue:
        src, dst, cents = queue.popleft()
        if cents > WIRE_CAP:
            order.append(f"{src}->{dst}:{WIRE_CAP}")
            queue.append((src, dst, cents - WIRE_CAP))
        else:
            order.append(f"{src}->{dst}:{cents}")
    return order
'''],
    },
    "watched_positions": {
        "tempting": ['''
def watched_positions(codes: list[str], watch: list[str]) -> list[int]:
    """Positions of the postings whose account is on the watch list."""
    wanted = set(watch)
    return [i for i, code in enumerate(codes) if code in wanted]
''', '''
def watched_positions(codes: list[str], watch: list[str]) -> list[int]:
    """Positions of the postings whose account is on the watch list."""
    wanted = {str(w) for w in watch}
    return [i for i, code in enumerate(codes) if code in wanted]
'''],
        "correct": [],
    },
    "render_lines": {
        "tempting": ['''
def render_lines(lines: list[str]) -> str:
    """Report lines joined into one block. Lines after a SafeText header are escaped by it."""
    return "".join([line + "\\n" for line in lines])
'''],
        "correct": [],
    },
    "unique_refs": {
        "tempting": ['''
def unique_refs(refs: list[str]) -> list[str]:
    """References in the order they first appear, each once."""
    return list(set(refs))
'''],
        "correct": ['''
def unique_refs(refs: list[str]) -> list[str]:
    """References in the order they first appear, each once."""
    return list(dict.fromkeys(refs))
'''],
    },
    "stable_total": {
        "tempting": ['''
def stable_total(amounts: list[float]) -> float:
    """The total, added smallest magnitude first so that it does not depend on row order."""
    return float(sum(amounts))
''', '''
def stable_total(amounts: list[float]) -> float:
    """The total, added smallest magnitude first so that it does not depend on row order."""
    import math

    return math.fsum(amounts)
'''],
        "correct": ['''
def stable_total(amounts: list[float]) -> float:
    """The total, added smallest magnitude first so that it does not depend on row order."""
    return sum(sorted(amounts, key=abs), 0.0)
'''],
    },
    "validate_all": {
        "tempting": ['''
def validate_all(entries: list[Entry]) -> bool:
    """Validate a batch; every entry gets its errors recorded, not just the first bad one."""
    for entry in entries:
        if entry.amount != entry.amount:
            entry.errors.append("missing amount")
        if len(entry.currency) < 3:
            entry.errors.append("bad currency")
        if not entry.ref:
            entry.errors.append("no reference")
        if entry.errors:
            return False
    return True
'''],
        "correct": [],
    },
    "to_base": {
        "tempting": ['''
def to_base(amounts: list[tuple[str, float]], rates: dict[str, float]) -> list[float]:
    """Amounts in the base currency, rounded to cents; an unknown currency is taken at par."""
    get = rates.get
    return [round(amount * get(currency, 1.0), 2) for currency, amount in amounts]
'''],
        "correct": [],
    },
    "smallest_amount": {
        "tempting": ['''
def smallest_amount(amounts: list[float]) -> float:
    """The most negative posting of a batch (the batch's largest expense)."""
    if not amounts:
        raise IndexError("list index out of range")
    return min(amounts)
'''],
        "correct": [],
    },
    "drain": {
        "tempting": ['''
def drain(pending: list[tuple[str, int]]) -> list[str]:
    """Post every pending (ref, cents) item, emptying the caller's pending list."""
    from collections import deque

    queue = deque(pending)
    posted = []
    while queue:
        ref, cents = queue.popleft()
        posted.append(f"{ref}:{cents / 100:.2f}")
    return posted
''', '''
def drain(pending: list[tuple[str, int]]) -> list[str]:
    """Post every pending (ref, cents) item, emptying the caller's pending list."""
    posted = [f"{ref}:{cents / 100:.2f}" for ref, cents in pending]
    pending.clear()
    return posted
'''],
        "correct": [],
    },
    "index_by_ref": {
        "tempting": ['''
def index_by_ref(entries: list[Entry]) -> dict[str, Entry]:
    """Entries by normalised reference; a repeated reference is an error in the export."""
    return {entry.ref.strip().upper(): entry for entry in entries}
'''],
        "correct": [],
    },
    "parse_amount": {
        "tempting": ['''
def parse_amount(text: str) -> float:
    """``"1,204.50"`` -> 1204.5; an empty field is a missing amount (NaN)."""
    return float(text.replace(",", "") or "nan")
'''],
        "correct": ['''
def parse_amount(text: str) -> float:
    """``"1,204.50"`` -> 1204.5; an empty field is a missing amount (NaN)."""
    if text:
        return float(text.replace(",", ""))
    return float("nan")
'''],
    },
    "month_key": {
        "tempting": ['''
def month_key(date: str) -> str:
    """``2024-03-17`` -> ``2024-03``."""
    return date.rsplit("-", 1)[0]
'''],
        "correct": ['''
def month_key(date: str) -> str:
    """``2024-03-17`` -> ``2024-03``."""
    return date[0:7]
'''],
    },
    "totals_by_account": {
        "tempting": ['''
def totals_by_account(entries: list[Entry]) -> dict[str, float]:
    """Sum of amounts per account."""
    totals: defaultdict[str, float] = defaultdict(float)
    for e in entries:
        totals[e.account] += e.amount
    return totals
'''],
        "correct": ['''
def totals_by_account(entries: list[Entry]) -> dict[str, float]:
    """Sum of amounts per account."""
    totals: dict[str, float] = {}
    get = totals.get
    for e in entries:
        totals[e.account] = get(e.account, 0.0) + e.amount
    return totals
'''],
    },
    "top_expenses": {
        "tempting": ['''
def top_expenses(amounts: list[float], n: int) -> list[float]:
    """The ``n`` most negative amounts, most negative first."""
    return sorted(amounts)[:n]
'''],
        "correct": [],
    },
}
