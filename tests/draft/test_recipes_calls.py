"""Builtin calls that copy or wrap for nothing: comprehension copies, list(sorted()), len() of a
copy, for over list(x), list(map(lambda)), bin(n).count("1")."""

from __future__ import annotations

import pytest
from _draft_helpers import assert_rewrites, assert_unchanged

COPY = "unnecessary-comprehension-copy"
SORTED = "list-call-around-sorted"
LEN = "len-of-copy"
CAST = "unnecessary-list-cast"
MAP = "map-lambda-to-comprehension"
BITS = "bin-count-ones"


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


def test_list_around_sorted() -> None:
    assert_rewrites(
        """
        def ranking(scores: dict[str, int]) -> list[str]:
            return list(sorted(scores, key=scores.get, reverse=True))
        """,
        """
        def ranking(scores: dict[str, int]) -> list[str]:
            return sorted(scores, key=scores.get, reverse=True)
        """,
        SORTED,
    )


@pytest.mark.parametrize(
    "code",
    [
        "def f(xs):\n    list = tuple\n    return list(sorted(xs))\n",
        "def f(xs, sorted):\n    return list(sorted(xs))\n",
        "def f(xs):\n    return tuple(sorted(xs))\n",
        "def f(xs):\n    return list(reversed(xs))\n",
    ],
)
def test_list_sorted_look_alikes_are_left_alone(code: str) -> None:
    assert_unchanged(code, SORTED)


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


def test_list_cast_over_immutable_and_unchanged_collections() -> None:
    assert_rewrites(
        """
        def total(values: tuple[int, ...], xs: list[int], text: str) -> int:
            s = 0
            for v in list(values):
                s += v
            for v in list(xs):
                s += v * len(text)
            for c in list(text):
                s += ord(c)
            for v in list((1, 2)):
                s -= v
            return s
        """,
        """
        def total(values: tuple[int, ...], xs: list[int], text: str) -> int:
            s = 0
            for v in values:
                s += v
            for v in xs:
                s += v * len(text)
            for c in text:
                s += ord(c)
            for v in (1, 2):
                s -= v
            return s
        """,
        CAST,
    )


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
        # any call might reach xs through another reference
        """
        def f(xs: list[int], log) -> None:
            for x in list(xs):
                log(x)
        """,
        # unknown type: could be a one-shot iterator the loop body also consumes
        """
        def f(it) -> int:
            n = 0
            for x in list(it):
                n += x
            return n
        """,
        # the list is passed on
        """
        def f(xs: list[int]) -> int:
            n = 0
            for x in list(xs):
                n += sum(xs) + helper(xs)
            return n
        """,
        # a generator: other code runs while it is suspended
        """
        def f(xs: list[int]):
            for x in list(xs):
                yield x
        """,
    ],
)
def test_list_cast_look_alikes_are_left_alone(code: str) -> None:
    assert_unchanged(code, CAST)


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
