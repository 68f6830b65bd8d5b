"""Rendering summaries."""

from __future__ import annotations


def render_csv(rows: list[list[str]]) -> str:
    """Rows as CSV text (the fields are already clean: no commas or quotes)."""
    text = ""
    for row in rows:
        text += ",".join(row) + "\n"
    return text


def render_lines(lines: list[str]) -> str:
    """Report lines joined into one block. Lines after a SafeText header are escaped by it."""
    out = ""
    for line in lines:
        out += line + "\n"
    return out
