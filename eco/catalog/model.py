"""The catalog's records: one `AntiPattern` per data file, and the `Catalog` that holds them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from eco.errors import ConfigError

__all__ = ["AntiPattern", "Catalog", "CatalogError", "UnknownAntiPattern"]


class CatalogError(ConfigError):
    """Raised when a catalog file is malformed; the message names the file and the problem."""


class UnknownAntiPattern(CatalogError, KeyError):
    """Raised by `Catalog.get` for an id the catalog does not hold (also a `KeyError`)."""


@dataclass(frozen=True)
class AntiPattern:
    """One Python performance anti-pattern, as written in ``antipatterns/<id>.toml``."""

    #: Stable id, equal to the data file's stem: ``membership-in-list-literal``.
    id: str
    #: One line for humans.
    title: str
    #: Family: ``data-structure``, ``loop``, ``caching``, ``regex``, ``builtins``...
    category: str
    #: Two or three sentences: why the pattern is slow and what the fix buys.
    why: str
    #: A small example of the slow code.
    before: str
    #: The same example after the fix.
    after: str
    #: Name of the detector function in `eco.draft.detectors.DETECTORS`.
    detector: str
    #: Name of the libcst recipe in `eco.draft.recipes.RECIPES`; ``None`` for report-only.
    fix: str | None
    #: What must be provable from the code before the fix is applied, for humans.
    preconditions: tuple[str, ...] = ()
    #: The same check in other linters, as ``tool:CODE`` (``ruff:PERF401``).
    equivalents: tuple[str, ...] = ()


class Catalog:
    """The anti-patterns eco knows, in id order; iterable, and indexed by id with `get`."""

    def __init__(self, entries: Iterable[AntiPattern], directory: Path | None = None) -> None:
        self._entries = {entry.id: entry for entry in sorted(entries, key=lambda e: e.id)}
        #: Where the entries were read from (``None`` for a catalog built in memory).
        self.directory = directory

    def __iter__(self) -> Iterator[AntiPattern]:
        return iter(self._entries.values())

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, item: object) -> bool:
        return item in self._entries

    def __repr__(self) -> str:
        return f"Catalog({len(self)} anti-patterns from {self.directory})"

    @property
    def ids(self) -> tuple[str, ...]:
        """Every id, sorted."""
        return tuple(self._entries)

    def get(self, id: str) -> AntiPattern:
        """The entry with this id; `UnknownAntiPattern` (a `ConfigError` and a `KeyError`) if none."""
        try:
            return self._entries[id]
        except KeyError:
            known = ", ".join(self._entries) or "none"
            raise UnknownAntiPattern(f"unknown anti-pattern {id!r} (known: {known})") from None
