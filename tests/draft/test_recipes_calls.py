"""Builtin calls that copy or wrap for nothing: comprehension copies, list(sorted()), len() of a
copy, for over list(x), list(map(lambda)), bin(n).count("1")."""

from __future__ import annotations

import libcst as cst
import pytest
from _draft_helpers import assert_rewrites, assert_unchanged, dedent

from eco.draft import Finding, detect
from eco.draft.recipes import apply_recipe, function_scope
from eco.draft.recipes.calls import LIST_CAST

COPY = "unnecessary-comprehension-copy"
SORTED = "list-call-around-sorted"
LEN = "len-of-copy"
CAST = "unnecessary-list-cast"
MAP = "map-lambda-to-comprehension"
BITS = "bin-count-ones"


def _found(code: str, antipattern: str) -> list[Finding]:
    return [f for f in detect(dedent(code)) if f.id == antipattern]


def _cast_rewrite(code: str) -> str | None:
    """The list-cast analysis applied on its own (the catalog only reports it: the saving is
    too small to measure), to keep the rewrite it would make exact and safe."""
    module = cst.parse_module(dedent(code))
    fn = next(s for s in reversed(module.body) if isinstance(s, cst.FunctionDef))
    scope = function_scope(module, fn.name.value)
    assert scope is not None
    new = apply_recipe(LIST_CAST, scope)
    return None if new is None else new.code


def test_comprehension_copies_become_list_and_set() -> None:
    assert_rewrites(
        """
        def copies(words: list[str], text: str) -> tuple[list[str], set[str]]:
            return [w for w in words], ({c for c in text.lower()})
        """,
        """
        def copies(words: list[str], text: str) -> tuple[list[str], set[str]]:
            return list(words), (set(text.lower()))
        """,
        COPY,
    )


@pytest.mark.parametrize(
    "code",
    [
        "def f(xs):\n    return [x for x in xs if x]\n",
        "def f(xs):\n    return [x + 1 for x in xs]\n",
        "def f(xs):\n    return [y for x in xs for y in x]\n",
        "def f(xs):\n    return [x for x, in xs]\n",
        "def f(xs):\n    return {x: x for x in xs}\n",
        "def f(xs):\n    list = tuple\n    return [x for x in xs]\n",
        "async def f(xs):\n    return [x async for x in xs]\n",
        "def f(xs):\n    return [x for x in xs  # all\n    ]\n",
    ],
)
def test_comprehension_look_alikes_are_left_alone(code: str) -> None:
    assert_unchanged(code, COPY)


def test_list_around_sorted_is_reported_not_fixed() -> None:
    (finding,) = _found(
        """
        def ranking(scores: dict[str, int]) -> list[str]:
            return list(sorted(scores, key=scores.get, reverse=True))
        """,
        SORTED,
    )
    assert not finding.fixable
    assert "not fixed: the copy saved is small next to the sort" in finding.message
    assert_unchanged("def f(xs: list[int]) -> list[int]:\n    return list(sorted(xs))\n", SORTED)


@pytest.mark.parametrize(
    "code",
    [
        "def f(xs):\n    return tuple(sorted(xs))\n",
        "def f(xs):\n    return list(reversed(xs))\n",
    ],
)
def test_list_sorted_look_alikes_are_not_reported(code: str) -> None:
    assert _found(code, SORTED) == []


def test_len_of_list_and_tuple_copies() -> None:
    assert_rewrites(
        """
        from typing import Sequence


        def sizes(d: dict[str, int], s: Sequence[int], text: str) -> int:
            local = {1, 2}
            return len(list(d)) + len(tuple(s)) + len(list(text)) + len(list(local))
        """,
        """
        from typing import Sequence


        def sizes(d: dict[str, int], s: Sequence[int], text: str) -> int:
            local = {1, 2}
            return len(d) + len(s) + len(text) + len(local)
        """,
        LEN,
    )


@pytest.mark.parametrize(
    "code",
    [
        # an iterator or generator must be consumed to be counted
        "def f(it):\n    return len(list(it))\n",
        "from typing import Iterable\n\ndef f(it: Iterable[int]):\n    return len(list(it))\n",
        "def f(xs: list[int]):\n    return len(list(x for x in xs if x))\n",
        # sorting can raise on incomparable elements
        "def f(xs: list[object]):\n    return len(sorted(xs))\n",
        # a set copy drops duplicates
        "def f(xs: list[int]):\n    return len(set(xs))\n",
        "def f(xs: list[int]):\n    len = sum\n    return len(list(xs))\n",
    ],
)
def test_len_look_alikes_are_left_alone(code: str) -> None:
    assert_unchanged(code, LEN)


def test_list_cast_is_reported_where_the_copy_could_go() -> None:
    found = _found(
        """
        def total(values: tuple[int, ...], xs: list[int], text: str, it) -> int:
            s = 0
            for v in list(values):
                s += v
            for v in list(xs):
                s += v * len(text)
            for v in list(it):
                s -= v
            return s
        """,
        CAST,
    )
    assert [f.line for f in found] == [3, 5, 7]
    assert not any(f.fixable for f in found)
    assert "not fixed: the copy saved is small" in found[0].message
    assert "not known to be a collection" in found[2].message


@pytest.mark.parametrize(
    "code",
    [
        # the copy is what makes deleting while iterating legal
        """
        def f(d: dict[str, int]) -> None:
            for k in list(d):
                if not d[k]:
                    del d[k]
        """,
        """
        def f(xs: list[int]) -> None:
            for x in list(xs):
                if x < 0:
                    xs.remove(x)
        """,
        """
        def f(xs: list[int]) -> None:
            for x in list(xs):
                xs.append(x)
        """,
        # the list is passed on inside the loop
        """
        def f(xs: list[int]) -> int:
            n = 0
            for x in list(xs):
                n += helper(xs)
            return n
        """,
    ],
)
def test_list_cast_is_not_reported_where_the_loop_changes_the_list(code: str) -> None:
    assert _found(code, CAST) == []
    assert _cast_rewrite(code) is None


def test_list_cast_rewrite_would_be_exact() -> None:
    before = """
        def total(values: tuple[int, ...], xs: list[int], text: str, log) -> int:
            s = 0
            for v in list(values):
                log(v)
            for v in list(xs):
                s += v * len(text)
            for v in list((1, 2)):
                s -= v
            for v in list(xs):
                log(v)
            return s
        """
    after = """
        def total(values: tuple[int, ...], xs: list[int], text: str, log) -> int:
            s = 0
            for v in values:
                log(v)
            for v in xs:
                s += v * len(text)
            for v in (1, 2):
                s -= v
            for v in list(xs):
                log(v)
            return s
        """
    assert _cast_rewrite(before) == dedent(after)


def test_map_lambda_in_list_and_set() -> None:
    assert_rewrites(
        """
        def shapes(values: list[int], words: list[str]) -> tuple[list[int], set[int]]:
            squares = list(map(lambda v: v * v, values))
            lengths = set(map(lambda w: len(w) if w else -1, words[1:] if words else words))
            return squares, lengths
        """,
        """
        def shapes(values: list[int], words: list[str]) -> tuple[list[int], set[int]]:
            squares = [v * v for v in values]
            lengths = {len(w) if w else -1 for w in (words[1:] if words else words)}
            return squares, lengths
        """,
        MAP,
    )


@pytest.mark.parametrize(
    "code",
    [
        # late binding: every lambda would see the last value
        "def f(xs):\n    return list(map(lambda x: lambda: x, xs))\n",
        "def f(xs):\n    return list(map(lambda x: (x for _ in range(2)), xs))\n",
        "def f(a, b):\n    return list(map(lambda x, y: x + y, a, b))\n",
        "def f(xs):\n    return list(map(lambda x=1: x, xs))\n",
        "def f(xs):\n    return list(map(lambda *x: x, xs))\n",
        "def f(xs):\n    return list(map(lambda x: (y := x), xs))\n",
        "def f(xs):\n    return tuple(map(lambda x: x, xs))\n",
        "def f(xs):\n    return map(lambda x: x, xs)\n",
        "def f(xs, map):\n    return list(map(lambda x: x, xs))\n",
        "def f(xs):\n    return list(map(str, xs))\n",
    ],
)
def test_map_look_alikes_are_left_alone(code: str) -> None:
    assert_unchanged(code, MAP)


def test_bit_count_on_known_ints() -> None:
    assert_rewrites(
        """
        def weight(n: int, flags: list[int], on: bool) -> int:
            total = bin(n).count("1") + bin(n + 7).count('1') + bin(on).count("1")
            return total + sum(bin(f).count("1") for f in flags) + bin(len(flags)).count("1")
        """,
        """
        def weight(n: int, flags: list[int], on: bool) -> int:
            total = n.bit_count() + (n + 7).bit_count() + on.bit_count()
            return total + sum(f.bit_count() for f in flags) + len(flags).bit_count()
        """,
        BITS,
    )


@pytest.mark.parametrize(
    "code",
    [
        "def f(n):\n    return bin(n).count('1')\n",
        "def f(n: float):\n    return bin(n).count('1')\n",
        "def f(n: int):\n    return bin(n).count('0')\n",
        "def f(n: int):\n    return bin(n).count('1', 2)\n",
        "def f(n: int):\n    return hex(n).count('1')\n",
        "def f(n: int, bin):\n    return bin(n).count('1')\n",
        # the type of n ^ 7 is not inferred: not rewritten
        "def f(n: int):\n    return bin(n ^ 7).count('1')\n",
    ],
)
def test_bit_count_look_alikes_are_left_alone(code: str) -> None:
    assert_unchanged(code, BITS)


@pytest.mark.parametrize(
    "code",
    [
        # unknown type: list() would call its __len__ first, a comprehension does not
        "def f(xs):\n    return [x for x in xs]\n",
        "def f(obj):\n    return [x for x in obj.items]\n",
    ],
)
def test_comprehension_copy_of_unknown_type_is_reported_not_fixed(code: str) -> None:
    (finding,) = _found(code, COPY)
    assert not finding.fixable
    assert "ask it for its length" in finding.message


def test_map_lambda_calling_next_is_left_alone() -> None:
    assert_unchanged(
        "def f(xs: list[int], it) -> list[int]:\n    return list(map(lambda x: next(it) + x, xs))\n",
        MAP,
    )
