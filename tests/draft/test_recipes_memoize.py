"""memoize-pure-recursion: only pure, module-level, immutably typed recursion gets a cache."""

from __future__ import annotations

import pytest
from _draft_helpers import assert_rewrites, assert_unchanged, dedent

from eco.pysource import parse_functions

ID = "memoize-pure-recursion"


def test_pure_recursion_gets_lru_cache_and_import() -> None:
    assert_rewrites(
        """
        import os

        LIMIT = 10


        def paths(r: int, c: int) -> int:
            if r == 0 or c == 0:
                return 1
            return min(paths(r - 1, c) + paths(r, c - 1), LIMIT ** 9)
        """,
        """
        import os
        import functools

        LIMIT = 10


        @functools.lru_cache(maxsize=None, typed=True)
        def paths(r: int, c: int) -> int:
            if r == 0 or c == 0:
                return 1
            return min(paths(r - 1, c) + paths(r, c - 1), LIMIT ** 9)
        """,
        ID,
    )


def test_existing_lru_cache_import_is_used_and_str_params_are_untyped() -> None:
    assert_rewrites(
        """
        from functools import lru_cache


        def distance(a: str, b: str) -> int:
            if not a or not b:
                return len(a) + len(b)
            if a[0] == b[0]:
                return distance(a[1:], b[1:])
            return 1 + min(distance(a[1:], b), distance(a, b[1:]), distance(a[1:], b[1:]))
        """,
        """
        from functools import lru_cache


        @lru_cache(maxsize=None)
        def distance(a: str, b: str) -> int:
            if not a or not b:
                return len(a) + len(b)
            if a[0] == b[0]:
                return distance(a[1:], b[1:])
            return 1 + min(distance(a[1:], b), distance(a, b[1:]), distance(a[1:], b[1:]))
        """,
        ID,
    )


def test_tuple_params_comprehensions_and_existing_functools() -> None:
    assert_rewrites(
        """
        import functools


        def best(items: tuple[int, ...], room: int) -> int:
            if not items or room <= 0:
                return 0
            skip = best(items[1:], room)
            take = items[0] + best(items[1:], room - items[0]) if items[0] <= room else 0
            return max(skip, take, *[0 for _ in range(1)])
        """,
        """
        import functools


        @functools.lru_cache(maxsize=None, typed=True)
        def best(items: tuple[int, ...], room: int) -> int:
            if not items or room <= 0:
                return 0
            skip = best(items[1:], room)
            take = items[0] + best(items[1:], room - items[0]) if items[0] <= room else 0
            return max(skip, take, *[0 for _ in range(1)])
        """,
        ID,
    )


@pytest.mark.parametrize(
    "code",
    [
        # a method
        """
        class T:
            def f(self, n: int) -> int:
                return n if n < 2 else self.f(n - 1) + self.f(n - 2)
        """,
        # nested
        """
        def outer() -> int:
            def f(n: int) -> int:
                return n if n < 2 else f(n - 1) + f(n - 2)
            return f(10)
        """,
        # mutable return type: callers could mutate the cached list
        """
        def f(n: int) -> list[int]:
            return [] if n == 0 else f(n - 1) + [n]
        """,
        # mutable parameter type (unhashable)
        """
        def f(xs: list[int]) -> int:
            return 0 if not xs else xs[0] + f(xs[1:])
        """,
        # unannotated parameter
        """
        def f(n) -> int:
            return n if n < 2 else f(n - 1) + f(n - 2)
        """,
        # missing return annotation
        """
        def f(n: int):
            return n if n < 2 else f(n - 1) + f(n - 2)
        """,
        # side effect: print
        """
        def f(n: int) -> int:
            print(n)
            return n if n < 2 else f(n - 1) + f(n - 2)
        """,
        # reads a mutable global
        """
        TABLE = [1, 2, 3]


        def f(n: int) -> int:
            return TABLE[n] if n < 3 else f(n - 1) + f(n - 2)
        """,
        # writes an item
        """
        def f(n: int, memo: tuple[int, ...] = ()) -> int:
            cache = {}
            cache[n] = n
            return n if n < 2 else f(n - 1) + f(n - 2)
        """,
        # global statement
        """
        CALLS = 0


        def f(n: int) -> int:
            global CALLS
            CALLS += 1
            return n if n < 2 else f(n - 1) + f(n - 2)
        """,
        # a generator
        """
        from typing import Iterator


        def f(n: int) -> int:
            if n:
                yield from f(n - 1)
            yield n
        """,
        # already decorated
        """
        import functools


        @functools.wraps(print)
        def f(n: int) -> int:
            return n if n < 2 else f(n - 1) + f(n - 2)
        """,
        # *args
        """
        def f(n: int, *rest: int) -> int:
            return n if n < 2 else f(n - 1) + f(n - 2)
        """,
        # not recursive
        """
        def f(n: int) -> int:
            return n * 2
        """,
        # the name is rebound at module level
        """
        def f(n: int) -> int:
            return n if n < 2 else f(n - 1) + f(n - 2)


        f = print
        """,
        # calls another function of the module
        """
        def g(n: int) -> int:
            return n


        def f(n: int) -> int:
            return g(n) if n < 2 else f(n - 1) + f(n - 2)
        """,
        # `functools` means something else
        """
        functools = None


        def f(n: int) -> int:
            return n if n < 2 else f(n - 1) + f(n - 2)
        """,
    ],
)
def test_look_alikes_are_left_alone(code: str) -> None:
    functions = parse_functions(dedent(code).encode())
    qualname = next(fn.qualname for fn in functions if fn.name == "f")
    assert_unchanged(code, ID, qualname)
