"""manual-list-copy, manual-dict-comprehension and set-add-in-loop: loops that only collect."""

from __future__ import annotations

import libcst as cst
import pytest
from _draft_helpers import assert_rewrites, assert_unchanged, candidates, dedent

from eco.draft import detect
from eco.draft.recipes import apply_recipe, function_scope
from eco.draft.recipes.collect import DICT_COMPREHENSION

COPY = "manual-list-copy"
DICT = "manual-dict-comprehension"
SET = "set-add-in-loop"


def test_fresh_copy_and_extend_of_a_list_built_here() -> None:
    assert_rewrites(
        """
        def ids(rows: list[int], extra: list[int]) -> list[int]:
            out = []
            for row in rows:
                out.append(row)
            # then the extras
            for item in extra:
                out.append(item)
            for row in rows:  # a later loop rebinds `row` before reading it
                print(row)
            return out
        """,
        """
        def ids(rows: list[int], extra: list[int]) -> list[int]:
            out = list(rows)
            # then the extras
            out.extend(extra)
            for row in rows:  # a later loop rebinds `row` before reading it
                print(row)
            return out
        """,
        COPY,
    )


def test_plain_copy_is_not_also_an_append_comprehension() -> None:
    found = candidates(
        """
        def f(rows: list[int]) -> list[int]:
            out = []
            for row in rows:
                out.append(row)
            return out
        """
    )
    assert [c.antipattern for c in found] == [COPY]


@pytest.mark.parametrize(
    "code",
    [
        # the loop variable is read after the loop
        """
        def f(rows: list[int]) -> int:
            out = []
            for row in rows:
                out.append(row)
            return len(out) + row
        """,
        # a parameter: the caller's list, maybe the very iterable
        """
        def f(rows: list[int], out: list[int]) -> None:
            for row in rows:
                out.append(row)
        """,
        # iterating over itself would never end; extend() would double it once
        """
        def f() -> list[int]:
            out = [1, 2]
            for x in out:
                out.append(x)
            return out
        """,
        # an alias of the list could be what the loop iterates
        """
        def f(rows: list[int]) -> list[int]:
            out = []
            view = out
            out.extend(rows)
            for x in view:
                out.append(x)
            return out
        """,
        # inside try: an exception half-way leaves a different list in `out`
        """
        def f(rows: list[int]) -> list[int]:
            try:
                out = []
                for row in rows:
                    out.append(row)
            except ValueError:
                out = []
            return out
        """,
        # `list` is not the builtin
        """
        def f(rows: list[int], list) -> list:
            out = []
            for row in rows:
                out.append(row)
            return out
        """,
        # not the loop's own target
        """
        def f(rows: list[int], x: int) -> list[int]:
            out = []
            for row in rows:
                out.append(x)
            return out
        """,
    ],
)
def test_copy_look_alikes_are_left_alone(code: str) -> None:
    assert_unchanged(code, COPY)


def _dict_rewrite(code: str, qualname: str | None = None) -> str | None:
    """The dict-comprehension analysis applied on its own: the catalog reports the pattern
    without fixing it (too small a gain on CPython 3.11), but the rewrite it would make is
    still checked to be exactly right and to leave look-alikes alone."""
    source = dedent(code)
    module = cst.parse_module(source)
    name = qualname or next(
        s.name.value for s in reversed(module.body) if isinstance(s, cst.FunctionDef)
    )
    scope = function_scope(module, name)
    assert scope is not None
    new = apply_recipe(DICT_COMPREHENSION, scope)
    return None if new is None else new.code


def _assert_dict_rewrites(before: str, after: str, _id: str) -> None:
    assert _dict_rewrite(before) == dedent(after)


def test_dict_comprehension_is_reported_not_fixed() -> None:
    (finding,) = [
        f
        for f in detect(
            "def f(xs: list[str]) -> dict[str, int]:\n    d = {}\n    for x in xs:\n        d[x] = 1\n    return d\n"
        )
        if f.id == DICT
    ]
    assert not finding.fixable
    assert (
        "not fixed: on CPython 3.11 the comprehension is only a few percent faster"
        in finding.message
    )


def test_dict_comprehension_with_conditions_and_nested_loops() -> None:
    _assert_dict_rewrites(
        """
        def index(groups: list[list[str]], bad: set[str]) -> dict[str, int]:
            positions = {}
            for group in groups:
                for word in group:
                    if word not in bad:
                        positions[word] = len(group)
            lengths = dict()
            for word in bad:
                lengths[word.lower()] = word
            return positions | lengths
        """,
        """
        def index(groups: list[list[str]], bad: set[str]) -> dict[str, int]:
            positions = {word: len(group) for group in groups for word in group if word not in bad}
            lengths = {word.lower(): word for word in bad}
            return positions | lengths
        """,
        DICT,
    )


def test_dict_comprehension_tuple_key_and_value() -> None:
    _assert_dict_rewrites(
        """
        def pairs(xs: list[int]) -> dict[tuple[int, int], int]:
            table = {}
            for x in xs:
                table[(x, x + 1)] = x
            return table
        """,
        """
        def pairs(xs: list[int]) -> dict[tuple[int, int], int]:
            table = {(x, x + 1): x for x in xs}
            return table
        """,
        DICT,
    )


@pytest.mark.parametrize(
    "code",
    [
        # key and value could both raise or have effects: their order would change
        """
        def f(xs: list[str]) -> dict[str, int]:
            d = {}
            for x in xs:
                d[x.upper()] = int(x)
            return d
        """,
        # the loop reads the dict it fills
        """
        def f(xs: list[str]) -> dict[str, int]:
            d = {}
            for x in xs:
                d[x] = len(d)
            return d
        """,
        # the loop variable leaks
        """
        def f(xs: list[str]) -> str:
            d = {}
            for x in xs:
                d[x] = 1
            return x
        """,
        # not a fresh dict
        """
        def f(xs: list[str], d: dict[str, int]) -> None:
            for x in xs:
                d[x] = 1
        """,
        # an else clause
        """
        def f(xs: list[str]) -> dict[str, int]:
            d = {}
            for x in xs:
                d[x] = 1
            else:
                pass
            return d
        """,
        # a slice store
        """
        def f(xs: list[int]) -> dict[int, int]:
            d = {}
            for x in xs:
                d[x:x] = 1
            return d
        """,
    ],
)
def test_dict_look_alikes_are_left_alone(code: str) -> None:
    assert _dict_rewrite(code) is None


def test_set_comprehension_copy_and_update() -> None:
    assert_rewrites(
        """
        def vocabulary(words: list[str], more: tuple[str, ...]) -> set[str]:
            seen = set()
            for w in words:
                if w:
                    seen.add(w.lower())
            for w in more:
                seen.add(w)
            plain = set()
            for w in more:
                plain.add(w)
            return seen | plain
        """,
        """
        def vocabulary(words: list[str], more: tuple[str, ...]) -> set[str]:
            seen = {w.lower() for w in words if w}
            seen.update(more)
            plain = set(more)
            return seen | plain
        """,
        SET,
    )


@pytest.mark.parametrize(
    "code",
    [
        """
        def f(words: list[str], seen: set[str]) -> None:
            for w in words:
                seen.add(w)
        """,
        """
        def f(words: list[str]) -> set[str]:
            seen = set()
            for w in words:
                seen.add(w)
            print(w)
            return seen
        """,
        """
        def f(words: list[str]) -> set[str]:
            seen = set(words)
            for w in list(seen):
                seen.add(w + "!")
            return seen
        """,
        """
        def f(words: list[str], set) -> object:
            seen = set()
            for w in words:
                seen.add(w)
            return seen
        """,
    ],
)
def test_set_look_alikes_are_left_alone(code: str) -> None:
    assert_unchanged(code, SET)
