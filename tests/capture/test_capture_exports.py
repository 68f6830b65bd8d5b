"""eco.capture's __all__ is its contract: every name in it exists, and nothing public is missing."""

from __future__ import annotations

import eco.capture


def test_all_matches_the_exports() -> None:
    public = {name for name in vars(eco.capture) if not name.startswith("_")}
    modules = {"spec", "store", "tracer"}
    assert set(eco.capture.__all__) == public - modules
    for name in eco.capture.__all__:
        assert getattr(eco.capture, name).__module__.startswith("eco.capture.")
