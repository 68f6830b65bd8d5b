"""dict-items-unused-part and dict-keys-membership: the dict itself instead of a view."""

from __future__ import annotations

import pytest
from _draft_helpers import assert_rewrites, assert_unchanged

ITEMS = "dict-items-unused-part"
KEYS = "dict-keys-membership"


def test_keys_only_and_values_only_loops() -> None:
    assert_rewrites(
        """
        from typing import Mapping


        def report(counts: dict[str, int], ages: Mapping[str, int]) -> list[str]:
            out = []
            for name, _ in counts.items():  # keys
                out.append(name)
            for _, age in ages.items():
                out.append(str(age))
            return out
        """,
        """
        from typing import Mapping


        def report(counts: dict[str, int], ages: Mapping[str, int]) -> list[str]:
            out = []
            for name in counts:  # keys
                out.append(name)
            for age in ages.values():
                out.append(str(age))
            return out
        """,
        ITEMS,
    )


def test_comprehension_clause_and_local_dict() -> None:
    assert_rewrites(
        """
        def keys(pairs: list[tuple[str, int]]) -> tuple[list[str], set[int]]:
            table = {k: v for k, v in pairs}
            names = [k.upper() for k, v in table.items() if k]
            values = {v for k, v in table.items()}
            return names, values
        """,
        """
        def keys(pairs: list[tuple[str, int]]) -> tuple[list[str], set[int]]:
            table = {k: v for k, v in pairs}
            names = [k.upper() for k in table if k]
            values = {v for v in table.values()}
            return names, values
        """,
        ITEMS,
    )


@pytest.mark.parametrize(
    "code",
    [
        # the "unused" value is read after the loop
        """
        def f(d: dict[str, int]) -> int:
            n = 0
            for k, v in d.items():
                n += len(k)
            return n + v
        """,
        # not known to be a dict: a custom items() could pair things differently
        """
        def f(d) -> int:
            n = 0
            for k, _ in d.items():
                n += len(k)
            return n
        """,
        # an attribute, not a plain name
        """
        class C:
            def f(self) -> int:
                n = 0
                for k, _ in self.d.items():
                    n += len(k)
                return n
        """,
        # rebound to something else
        """
        def f(d: dict[str, int], other) -> int:
            n = 0
            d = other
            for k, _ in d.items():
                n += len(k)
            return n
        """,
        # locals() could see the dropped name
        """
        def f(d: dict[str, int]) -> dict[str, object]:
            for k, v in d.items():
                pass
            return locals()
        """,
        # both parts used: nothing to report
        """
        def f(d: dict[str, int]) -> int:
            return sum(len(k) + v for k, v in d.items())
        """,
        # Optional: might be None, whose failure differs (AttributeError either way, but no
        # annotation we trust)
        """
        from typing import Optional


        def f(d: Optional[dict[str, int]]) -> int:
            return sum(1 for k, _ in d.items())
        """,
    ],
)
def test_items_look_alikes_are_left_alone(code: str) -> None:
    assert_unchanged(code, ITEMS)


def test_keys_membership_on_dict_and_defaultdict() -> None:
    assert_rewrites(
        """
        from collections import defaultdict


        def known(d: dict[str, int], groups: defaultdict[str, list[int]], key: str) -> bool:
            seen = {}
            return key in d.keys() and key not in groups.keys() and (key in seen.keys())
        """,
        """
        from collections import defaultdict


        def known(d: dict[str, int], groups: defaultdict[str, list[int]], key: str) -> bool:
            seen = {}
            return key in d and key not in groups and (key in seen)
        """,
        KEYS,
    )


@pytest.mark.parametrize(
    "code",
    [
        "def f(d, k):\n    return k in d.keys()\n",
        "def f(d: dict[str, int], k: str):\n    return k in d.keys(1)\n",
        "class C:\n    def f(self, k: str):\n        return k in self.d.keys()\n",
        "Dict = list\n\ndef f(d: Dict[str, int], k: str):\n    return k in d.keys()\n",
        "from typing import Dict\n\ndict = list\n\ndef f(d: dict, k: str):\n    return k in d.keys()\n",
    ],
)
def test_keys_look_alikes_are_left_alone(code: str) -> None:
    assert_unchanged(code, KEYS)
