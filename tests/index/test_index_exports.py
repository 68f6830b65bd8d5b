"""eco.index's __all__ is its contract: every name in it exists, and nothing public is missing."""

from __future__ import annotations

import eco.index


def test_all_matches_the_exports() -> None:
    public = {name for name in vars(eco.index) if not name.startswith("_")}
    modules = {"build", "embedders", "records", "search", "store", "vectors", "views"}
    assert set(eco.index.__all__) == public - modules
    for name in eco.index.__all__:
        obj = getattr(eco.index, name)
        if not isinstance(obj, (int, str, tuple)):
            assert obj.__module__.startswith("eco.index."), name
