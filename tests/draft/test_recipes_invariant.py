"""loop-invariant-len, range-len-indexing and repeated-equality-comparison."""

from __future__ import annotations

import pytest
from _draft_helpers import assert_rewrites, assert_unchanged, dedent

from eco.draft import detect

LEN = "loop-invariant-len"
RANGE = "range-len-indexing"
EQ = "repeated-equality-comparison"


def test_len_is_hoisted_before_the_innermost_loop() -> None:
    assert_rewrites(
        """
        def scan(data: bytes, marks: tuple[int, ...], rows: list[list[int]]) -> int:
            total = 0
            i = 0
            # walk the data
            while i < len(data) and len(data) > 2:
                total += data[i]
                i += 1
            for row in rows:
                out = []
                for m in marks:
                    if m < len(marks):
                        out.append(m)
                total += len(out) + sum(len(row) for _ in range(len(marks)))
            return total
        """,
        """
        def scan(data: bytes, marks: tuple[int, ...], rows: list[list[int]]) -> int:
            total = 0
            i = 0
            # walk the data
            data_len = len(data)
            while i < data_len and data_len > 2:
                total += data[i]
                i += 1
            marks_len2 = len(marks)
            for row in rows:
                out = []
                marks_len = len(marks)
                for m in marks:
                    if m < marks_len:
                        out.append(m)
                total += len(out) + sum(len(row) for _ in range(marks_len2))
            return total
        """,
        LEN,
    )


def test_len_of_a_local_in_a_while_test() -> None:
    assert_rewrites(
        """
        def drain(n: int) -> int:
            pending = list(range(n))
            i = 0
            while i < len(pending):
                i += 2
            return i
        """,
        """
        def drain(n: int) -> int:
            pending = list(range(n))
            i = 0
            pending_len = len(pending)
            while i < pending_len:
                i += 2
            return i
        """,
        LEN,
    )


@pytest.mark.parametrize(
    "code",
    [
        # the loop shrinks the list
        """
        def f(xs: list[int]) -> int:
            n = 0
            while n < len(xs):
                xs.pop()
                n += 1
            return n
        """,
        # a call might change it through another reference
        """
        def f(xs: list[int], step) -> int:
            n = 0
            while n < len(xs):
                step(n)
                n += 1
            return n
        """,
        # rebound in the loop
        """
        def f(xs: list[int]) -> int:
            n = 0
            while n < len(xs):
                xs = xs[1:]
                n += 1
            return n
        """,
        # not a known collection: len() could change or have effects
        """
        def f(xs) -> int:
            n = 0
            while n < len(xs):
                n += 1
            return n
        """,
        # a local in a for body: might be unbound when the loop does not run
        """
        def f(rows: list[int], flag: bool) -> int:
            if flag:
                local = [1, 2]
            n = 0
            for r in rows:
                n += len(local)
            return n
        """,
        # a generator: other code runs while the loop is suspended
        """
        def f(xs: list[int]):
            i = 0
            while i < len(xs):
                yield xs[i]
                i += 1
        """,
        # stored into through an item of another container
        """
        def f(xs: list[int], holder: list[list[int]]) -> int:
            i = 0
            while i < len(xs):
                holder[0].append(i)
                i += 1
            return i
        """,
    ],
)
def test_len_look_alikes_are_left_alone(code: str) -> None:
    assert_unchanged(code, LEN)


def test_not_invariant_is_not_even_reported() -> None:
    source = dedent(
        """
        def f(xs: list[int]) -> int:
            while len(xs) > 3:
                xs.pop()
            return len(xs)
        """
    )
    assert [f for f in detect(source) if f.id == LEN] == []


def test_range_len_becomes_direct_iteration() -> None:
    assert_rewrites(
        """
        def total_length(words: list[str], text: str) -> int:
            total = 0
            for i in range(len(words)):
                total += len(words[i]) + words[i].count("a")
            for i in range(len(text)):
                if text[i] == " ":
                    total += 1
            return total
        """,
        """
        def total_length(words: list[str], text: str) -> int:
            total = 0
            for word in words:
                total += len(word) + word.count("a")
            for item in text:
                if item == " ":
                    total += 1
            return total
        """,
        RANGE,
    )


@pytest.mark.parametrize(
    "code",
    [
        # the index is needed for more than the lookup
        """
        def f(xs: list[int]) -> int:
            t = 0
            for i in range(len(xs)):
                t += xs[i] * i
            return t
        """,
        # read after the loop
        """
        def f(xs: list[int]) -> int:
            t = 0
            for i in range(len(xs)):
                t += xs[i]
            return t + i
        """,
        # the loop writes the list
        """
        def f(xs: list[int]) -> None:
            for i in range(len(xs)):
                xs[i] = xs[i] + 1
        """,
        # the loop grows the list: range() fixed the count up front
        """
        def f(xs: list[int]) -> None:
            for i in range(len(xs)):
                xs.append(xs[i])
        """,
        # a dict is indexed by key, not position
        """
        def f(d: dict[int, int]) -> int:
            t = 0
            for i in range(len(d)):
                t += d[i]
            return t
        """,
        # unknown type
        """
        def f(xs) -> int:
            t = 0
            for i in range(len(xs)):
                t += xs[i]
            return t
        """,
        # a closure reads the index later
        """
        def f(xs: list[int]) -> list:
            fs = []
            for i in range(len(xs)):
                fs.append(lambda: xs[i])
            return fs
        """,
        # any call could change the list through another reference
        """
        def f(xs: list[int], log) -> None:
            for i in range(len(xs)):
                log(xs[i])
        """,
    ],
)
def test_range_look_alikes_are_left_alone(code: str) -> None:
    assert_unchanged(code, RANGE)


def test_equality_chains_become_set_membership() -> None:
    assert_rewrites(
        """
        def kinds(word: str, n: int, words: list[str]) -> tuple[bool, bool, list[str]]:
            keyword = word == "if" or "else" == word or word == "for"
            odd = (n != 1 and n != 3 and n != 5)
            short = [w for w in words if w == "a" or w == "an"]
            return keyword, odd, short
        """,
        """
        def kinds(word: str, n: int, words: list[str]) -> tuple[bool, bool, list[str]]:
            keyword = word in {"if", "else", "for"}
            odd = (n not in {1, 3, 5})
            short = [w for w in words if w in {"a", "an"}]
            return keyword, odd, short
        """,
        EQ,
    )


@pytest.mark.parametrize(
    "code",
    [
        # unknown type: a set lookup could raise TypeError where == would not
        "def f(x):\n    return x == 1 or x == 2 or x == 3\n",
        # two comparisons outside a loop do not pay off
        "def f(x: int):\n    return x == 1 or x == 2\n",
        # different names
        "def f(x: int, y: int):\n    return x == 1 or y == 2 or x == 3\n",
        # not all constants
        "def f(x: int, y: int):\n    return x == 1 or x == y or x == 3\n",
        # mixed operators
        "def f(x: int):\n    return x == 1 or x != 2 or x == 3\n",
        "def f(x: int):\n    return x == 1 and x == 2 and x == 3\n",
        # an attribute: evaluated once per comparison, possibly with effects
        "def f(o):\n    return o.kind == 1 or o.kind == 2 or o.kind == 3\n",
    ],
)
def test_equality_look_alikes_are_left_alone(code: str) -> None:
    assert_unchanged(code, EQ)
