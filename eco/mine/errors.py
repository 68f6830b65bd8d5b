"""Errors of the mine stage (all `EcoError`s, so the CLI prints one line and exits 2)."""

from __future__ import annotations

from eco.errors import EcoError

__all__ = ["MineError"]


class MineError(EcoError):
    """Raised for a bad revision range or date, a Dask cluster that cannot be reached or is
    not installed, or git failing on a whole repository."""
