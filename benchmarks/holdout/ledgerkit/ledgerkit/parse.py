"""Reading ledger exports: one posting per line."""

from __future__ import annotations

import re

from ledgerkit.types import Entry


def parse_lines(lines: list[str]) -> list[tuple[str, ...]]:
    """Split export lines into (date, account, amount, currency, ref); lines that do not match are skipped."""
    rows = []
    for line in lines:
        m = re.match(r"(\d{4}-\d{2}-\d{2})\s+([A-Za-z]+-\d+)\s+(-?\d+(?:\.\d+)?)\s+([A-Z]{3}(?:\.\w+)?)\s+(\S+)", line)
        if m is not None:
            rows.append(m.groups())
    return rows


def parse_amount(text: str) -> float:
    """``"1,204.50"`` -> 1204.5; an empty field is a missing amount (NaN)."""
    if not text:
        return float("nan")
    return float(text.replace(",", ""))


def month_key(date: str) -> str:
    """``2024-03-17`` -> ``2024-03``."""
    return date[:7]


def unique_refs(refs: list[str]) -> list[str]:
    """References in the order they first appear, each once."""
    out = []
    for ref in refs:
        if ref not in out:
            out.append(ref)
    return out


def index_by_ref(entries: list[Entry]) -> dict[str, Entry]:
    """Entries by normalised reference; a repeated reference is an error in the export."""
    index = {}
    for entry in entries:
        key = entry.ref.strip().upper()
        if key in index:
            raise DuplicateRefError(key)
        index[key] = entry
    return index


class DuplicateRefError(ValueError):
    """Two entries of one export carry the same reference."""
