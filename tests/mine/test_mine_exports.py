"""eco.mine's __all__ is its contract: every name in it exists, and nothing public is missing."""

from __future__ import annotations

import eco.mine


def test_all_matches_the_exports() -> None:
    public = {name for name in vars(eco.mine) if not name.startswith("_")}
    modules = {"analyze", "classify", "engine", "errors", "explanation", "functions", "gitread", "labelled",
               "paths", "records", "store"}
    assert set(eco.mine.__all__) == public - modules
    for name in eco.mine.__all__:
        obj = getattr(eco.mine, name)
        if not isinstance(obj, int):
            assert obj.__module__.startswith("eco.mine."), name
