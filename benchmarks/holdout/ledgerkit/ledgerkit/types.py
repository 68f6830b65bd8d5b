"""The value types ledgerkit passes around."""

from __future__ import annotations

import html
from dataclasses import dataclass, field


@dataclass
class Entry:
    """One posting of a ledger export."""

    date: str
    account: str
    category: str
    amount: float
    currency: str
    ref: str
    memo: str = ""
    errors: list[str] = field(default_factory=list)


class AccountCode(str):
    """An account code as typed by people: ``acc-0012`` and ``ACC-0012`` are the same account."""

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            return self.casefold() == other.casefold()
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        result = self.__eq__(other)
        return result if result is NotImplemented else not result


class SafeText(str):
    """Text that is already HTML-safe; anything concatenated to it is escaped first."""

    def __add__(self, other: str) -> SafeText:
        if not isinstance(other, SafeText):
            other = html.escape(other, quote=False)
        return SafeText(str.__add__(self, other))

    def __radd__(self, other: str) -> SafeText:
        if not isinstance(other, SafeText):
            other = html.escape(other, quote=False)
        return SafeText(str.__add__(other, self))


class RateTable(dict):  # type: ignore[type-arg]
    """Exchange rates keyed by currency; ``USD.wire`` falls back to ``USD``."""

    def __missing__(self, key: str) -> float:
        base, dot, _channel = key.partition(".")
        if dot and base in self:
            return self[base]
        raise KeyError(key)

