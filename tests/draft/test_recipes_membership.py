"""membership-in-list-literal and membership-in-list-param: rewrites and look-alikes left alone."""

from __future__ import annotations

import pytest
from _draft_helpers import assert_rewrites, assert_unchanged

LITERAL = "membership-in-list-literal"
PARAM = "membership-in-list-param"


def test_list_literal_in_loop_becomes_set_literal() -> None:
    assert_rewrites(
        """
        def count(words: list[str]) -> int:
            n = 0
            for w in words:
                if w in ["a", "b"]:
                    n += 1
            return n
        """,
        """
        def count(words: list[str]) -> int:
            n = 0
            for w in words:
                if w in {"a", "b"}:
                    n += 1
            return n
        """,
        LITERAL,
    )


def test_not_in_tuple_literal_with_four_elements_outside_a_loop() -> None:
    assert_rewrites(
        """
        def kind(code: int) -> str:
            return "other" if code not in (200, 201, 204, 304) else "ok"
        """,
        """
        def kind(code: int) -> str:
            return "other" if code not in {200, 201, 204, 304} else "ok"
        """,
        LITERAL,
    )


def test_multiline_literal_keeps_its_layout_and_comments() -> None:
    assert_rewrites(
        """
        def stop(word: str) -> bool:
            return word in [  # common words
                "a",
                "an",  # article
                "the",
                "of",
            ]
        """,
        """
        def stop(word: str) -> bool:
            return word in {  # common words
                "a",
                "an",  # article
                "the",
                "of",
            }
        """,
        LITERAL,
    )


def test_left_operand_from_str_method_and_split_iteration() -> None:
    assert_rewrites(
        """
        def f(text: str) -> list[str]:
            out = []
            for line in text.splitlines():
                for w in line.strip().split(","):
                    key = w.lower()
                    if key in ["x", "y"] or w not in ("p", "q"):
                        out.append(key)
            return out
        """,
        """
        def f(text: str) -> list[str]:
            out = []
            for line in text.splitlines():
                for w in line.strip().split(","):
                    key = w.lower()
                    if key in {"x", "y"} or w not in {"p", "q"}:
                        out.append(key)
            return out
        """,
        LITERAL,
    )


def test_comprehension_over_annotated_list_and_chars_of_a_str() -> None:
    assert_rewrites(
        """
        def vowels(text: str, words: list[str]) -> tuple[int, list[str]]:
            n = sum(1 for ch in text if ch in "aeiou" or ch in ["y"])
            return n, [w for w in words if w not in ["", "-"]]
        """,
        """
        def vowels(text: str, words: list[str]) -> tuple[int, list[str]]:
            n = sum(1 for ch in text if ch in "aeiou" or ch in {"y"})
            return n, [w for w in words if w not in {"", "-"}]
        """,
        LITERAL,
    )


@pytest.mark.parametrize(
    "code",
    [
        # the left operand could be a list: `[1] in [...]` is False, `[1] in {...}` raises
        """
        def f(items):
            return [x for x in items if x in ["a", "b", "c", "d"]]
        """,
        # an element is a name, not a constant
        """
        def f(words: list[str], other: str) -> list[str]:
            return [w for w in words if w in ["a", other]]
        """,
        # an f-string element
        """
        def f(words: list[str], n: int) -> list[str]:
            return [w for w in words if w in ["a", f"b{n}"]]
        """,
        # a starred element
        """
        def f(words: list[str], more: list[str]) -> list[str]:
            return [w for w in words if w in ["a", *more]]
        """,
        # chained: the literal is also compared with `other`
        """
        def f(words: list[str], other: list[str]) -> list[str]:
            return [w for w in words if w in ["a", "b"] == other]
        """,
        # fewer than 4 elements and not in a loop
        """
        def f(w: str) -> bool:
            return w in ["a", "b", "c"]
        """,
        # str methods on an unknown receiver are not known to return str
        """
        def f(rows):
            return [r for r in rows if r.lower() in ["a", "b"]]
        """,
        # iterating .split() of something not known to be str (pandas' .str.split gives lists)
        """
        def f(series):
            return [w for w in series.split() if w in ["a", "b"]]
        """,
        # the name is rebound to something unknown
        """
        def f(text: str, other):
            out = []
            for w in text.split():
                if w in ["a", "b"]:
                    out.append(w)
                w = other
            return out
        """,
        # `str` is not the builtin in this module
        """
        class str(list):
            pass

        def f(word: str) -> bool:
            return word in ["a", "b", "c", "d"]
        """,
    ],
)
def test_literal_look_alikes_are_left_alone(code: str) -> None:
    assert_unchanged(code, LITERAL)


def test_list_param_in_comprehension_gets_a_set_before_the_statement() -> None:
    assert_rewrites(
        """
        def shared(left: list[str], right: list[str]) -> list[str]:
            return [word for word in left if word in right]
        """,
        """
        def shared(left: list[str], right: list[str]) -> list[str]:
            right_set = set(right)
            return [word for word in left if word in right_set]
        """,
        PARAM,
    )


def test_list_param_in_nested_loop_set_goes_before_the_outermost_loop() -> None:
    assert_rewrites(
        """
        from typing import Sequence


        def missing(rows: list[list[int]], known: Sequence[int]) -> int:
            n = 0
            # walk the rows
            for row in rows:
                for i in range(len(row)):
                    if i not in known:
                        n += 1
            return n
        """,
        """
        from typing import Sequence


        def missing(rows: list[list[int]], known: Sequence[int]) -> int:
            n = 0
            # walk the rows
            known_set = set(known)
            for row in rows:
                for i in range(len(row)):
                    if i not in known_set:
                        n += 1
            return n
        """,
        PARAM,
    )


def test_list_param_set_name_does_not_clash() -> None:
    assert_rewrites(
        """
        def f(xs: list[int], ys: tuple[int, ...]) -> list[int]:
            ys_set = 3
            return [x for x in xs if x in ys] + [ys_set]
        """,
        """
        def f(xs: list[int], ys: tuple[int, ...]) -> list[int]:
            ys_set = 3
            ys_set2 = set(ys)
            return [x for x in xs if x in ys_set2] + [ys_set]
        """,
        PARAM,
    )


@pytest.mark.parametrize(
    "code",
    [
        # not annotated
        """
        def f(xs: list[int], ys) -> list[int]:
            return [x for x in xs if x in ys]
        """,
        # elements not hashable scalars
        """
        def f(xs: list[int], ys: list[list[int]]) -> list[int]:
            return [x for x in xs if x in ys]
        """,
        # the left operand's type is unknown
        """
        def f(xs, ys: list[int]) -> list[int]:
            return [x for x in xs if x in ys]
        """,
        # the list is mutated in the loop
        """
        def f(xs: list[int], ys: list[int]) -> list[int]:
            out = []
            for x in xs:
                if x not in ys:
                    ys.append(x)
                    out.append(x)
            return out
        """,
        # the list is passed to something that could mutate it
        """
        def f(xs: list[int], ys: list[int], grow) -> int:
            n = 0
            for x in xs:
                if x in ys:
                    grow(ys)
                    n += 1
            return n
        """,
        # another parameter could be the same list, and it is mutated
        """
        def f(xs: list[int], ys: list[int]) -> int:
            n = 0
            for x in list(xs):
                if x in ys:
                    xs.append(x)
                    n += 1
            return n
        """,
        # item assignment into it
        """
        def f(xs: list[int], ys: list[int]) -> int:
            n = 0
            for i, x in enumerate(xs):
                if x in ys:
                    ys[0] = x
                    n += 1
            return n
        """,
        # rebound
        """
        def f(xs: list[int], ys: list[int]) -> list[int]:
            ys = ys + [1]
            return [x for x in xs if x in ys]
        """,
        # chained: the list itself is compared further along
        """
        def f(xs: list[int], ys: list[int], zs: list[int]) -> list[int]:
            return [x for x in xs if x in ys == zs]
        """,
        # not in a loop: one scan is as good as building a set
        """
        def f(x: int, ys: list[int]) -> bool:
            return x in ys
        """,
        # seen by a nested function
        """
        def f(xs: list[int], ys: list[int]) -> list[int]:
            def add(v: int) -> None:
                ys.append(v)
            return [x for x in xs if x in ys]
        """,
    ],
)
def test_param_look_alikes_are_left_alone(code: str) -> None:
    assert_unchanged(code, PARAM)
