"""eco.profile's __all__ is its contract: every name in it exists, and nothing public is missing."""

from __future__ import annotations

from types import ModuleType

import eco.profile


def test_all_matches_the_exports() -> None:
    exported = set(eco.profile.__all__)
    for name in exported:
        assert hasattr(eco.profile, name), name
    public = {
        name for name, value in vars(eco.profile).items()
        if not name.startswith("_") and not isinstance(value, ModuleType)
        and getattr(value, "__module__", "").startswith("eco.profile")
    }
    assert public <= exported, public - exported
