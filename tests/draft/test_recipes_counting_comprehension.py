"""dict-membership-then-index and append-loop-to-comprehension."""

from __future__ import annotations

import pytest
from _draft_helpers import assert_rewrites, assert_unchanged

COUNT = "dict-membership-then-index"
COMP = "append-loop-to-comprehension"


def test_counting_if_else_both_orders() -> None:
    assert_rewrites(
        """
        def freq(words: list[str]) -> dict[str, int]:
            counts = {}
            other = dict()
            for word in words:
                # count it
                if word in counts:
                    counts[word] += 1
                else:
                    counts[word] = 1
                if word not in other: other[word] = 2.5
                else: other[word] += 2.5
            return counts | other
        """,
        """
        def freq(words: list[str]) -> dict[str, int]:
            counts = {}
            other = dict()
            for word in words:
                # count it
                counts[word] = counts.get(word, 0) + 1
                other[word] = other.get(word, 0) + 2.5
            return counts | other
        """,
        COUNT,
    )


def test_counting_init_then_increment_and_annotated_param() -> None:
    assert_rewrites(
        """
        from typing import Dict


        def tally(counts: Dict[str, int], words: list[str]) -> None:
            for word in words:
                if word not in counts:
                    counts[word] = 0
                counts[word] += 3
        """,
        """
        from typing import Dict


        def tally(counts: Dict[str, int], words: list[str]) -> None:
            for word in words:
                counts[word] = counts.get(word, 0) + 3
        """,
        COUNT,
    )


@pytest.mark.parametrize(
    "code",
    [
        # a parameter without annotation: values could be arrays whose += works in place
        """
        def f(d, words):
            for w in words:
                if w in d:
                    d[w] += 1
                else:
                    d[w] = 1
        """,
        # annotated, but the values are not numbers
        """
        def f(d: dict[str, list[int]], words: list[str]) -> None:
            for w in words:
                if w in d:
                    d[w] += [1]
                else:
                    d[w] = [1]
        """,
        # different literals in the two branches
        """
        def f(words: list[str]) -> dict[str, int]:
            d = {}
            for w in words:
                if w in d:
                    d[w] += 1
                else:
                    d[w] = 0
            return d
        """,
        # the key is an expression with a call
        """
        def f(words: list[str]) -> dict[str, int]:
            d = {}
            for w in words:
                if w.lower() in d:
                    d[w.lower()] += 1
                else:
                    d[w.lower()] = 1
            return d
        """,
        # the local dict receives other values elsewhere
        """
        def f(words: list[str], seed) -> dict[str, int]:
            d = {}
            d["seed"] = seed
            for w in words:
                if w in d:
                    d[w] += 1
                else:
                    d[w] = 1
            return d
        """,
        # the local dict is handed to a function that could fill it
        """
        def f(words: list[str], fill) -> dict[str, int]:
            d = {}
            fill(d)
            for w in words:
                if w in d:
                    d[w] += 1
                else:
                    d[w] = 1
            return d
        """,
        # a comment inside would be lost
        """
        def f(words: list[str]) -> dict[str, int]:
            d = {}
            for w in words:
                if w in d:
                    d[w] += 1  # seen before
                else:
                    d[w] = 1
            return d
        """,
        # an elif branch is not a statement of its own
        """
        def f(words: list[str], skip: bool) -> dict[str, int]:
            d = {}
            for w in words:
                if skip:
                    pass
                elif w in d:
                    d[w] += 1
                else:
                    d[w] = 1
            return d
        """,
        # elif, not else
        """
        def f(words: list[str]) -> dict[str, int]:
            d = {}
            for w in words:
                if w in d:
                    d[w] += 1
                elif w:
                    d[w] = 1
            return d
        """,
        # the dict is a global
        """
        D = {}


        def f(words: list[str]) -> None:
            for w in words:
                if w in D:
                    D[w] += 1
                else:
                    D[w] = 1
        """,
        # double lookup is reported only
        """
        def f(d: dict[str, int], k: str) -> int:
            if k in d:
                return d[k]
            return 0
        """,
    ],
)
def test_counting_look_alikes_are_left_alone(code: str) -> None:
    assert_unchanged(code, COUNT)


def test_append_loop_with_condition_and_tuple_target() -> None:
    assert_rewrites(
        """
        def f(pairs: list[tuple[int, int]]) -> list[int]:
            total = 0
            out = []  # sums
            for a, b in pairs:
                if a > 0:
                    out.append(a + b)
            return out
        """,
        """
        def f(pairs: list[tuple[int, int]]) -> list[int]:
            total = 0
            out = [a + b for a, b in pairs if a > 0]  # sums
            return out
        """,
        COMP,
    )


def test_append_loop_nested_for_and_iterables_that_need_parentheses() -> None:
    assert_rewrites(
        """
        def f(flag: bool, a: list[int], b: list[int]) -> list[object]:
            out = []
            for x in a if flag else b:
                for y in 1, 2:
                    out.append(x * y)
            rows = []
            for r in a:
                rows.append(v for v in range(r))
            return out + rows
        """,
        """
        def f(flag: bool, a: list[int], b: list[int]) -> list[object]:
            out = [x * y for x in (a if flag else b) for y in (1, 2)]
            rows = [(v for v in range(r)) for r in a]
            return out + rows
        """,
        COMP,
    )


@pytest.mark.parametrize(
    "code",
    [
        # the loop variable is read after the loop
        """
        def f(xs: list[int]) -> tuple[list[int], int]:
            out = []
            for x in xs:
                out.append(x)
            return out, x
        """,
        # read before the loop inside an enclosing loop (the previous iteration's value)
        """
        def f(groups: list[list[int]]) -> list[int]:
            seen = []
            x = 0
            for g in groups:
                seen.append(x)
                out = []
                for x in g:
                    out.append(x)
            return seen
        """,
        # the body has more than the append
        """
        def f(xs: list[int]) -> list[int]:
            out = []
            for x in xs:
                y = x * 2
                out.append(y)
            return out
        """,
        # break
        """
        def f(xs: list[int]) -> list[int]:
            out = []
            for x in xs:
                if x < 0:
                    break
                out.append(x)
            return out
        """,
        # for ... else
        """
        def f(xs: list[int]) -> list[int]:
            out = []
            for x in xs:
                out.append(x)
            else:
                out.append(0)
            return out
        """,
        # the loop reads the list being built
        """
        def f(xs: list[int]) -> list[int]:
            out = []
            for x in xs:
                out.append(len(out) + x)
            return out
        """,
        # the iterable refers to the list
        """
        def f(xs: list[int]) -> list[int]:
            out = []
            for x in xs + out:
                out.append(x)
            return out
        """,
        # a comment inside the loop would be lost
        """
        def f(xs: list[int]) -> list[int]:
            out = []
            for x in xs:
                # keep everything
                out.append(x)
            return out
        """,
        # not immediately after the empty list
        """
        def f(xs: list[int]) -> list[int]:
            out = []
            n = 0
            for x in xs:
                out.append(x)
            return out
        """,
        # inside try: an exception half-way leaves a partial list behind
        """
        def f(xs: list[str]) -> list[int]:
            try:
                out = []
                for x in xs:
                    out.append(int(x))
            except ValueError:
                return out
            return out
        """,
        # a lambda capturing the loop variable
        """
        def f(xs: list[int]) -> list[object]:
            out = []
            for x in xs:
                out.append(lambda: x)
            x = 0
            return out
        """,
        # a yield inside
        """
        def f(xs: list[int]):
            out = []
            for x in xs:
                out.append((yield x))
            return out
        """,
        # an attribute target
        """
        def f(self, xs: list[int]) -> list[int]:
            out = []
            for self.x in xs:
                out.append(self.x)
            return out
        """,
        # a closure reads the list while the loop builds it
        """
        def f(xs: list[int]) -> list[int]:
            def size() -> int:
                return len(out)
            out = []
            for x in xs:
                out.append(size())
            return out
        """,
        # the loop variable is used by a nested function
        """
        def f(xs: list[int]) -> list[int]:
            out = []
            for x in xs:
                out.append(x)
            def g() -> int:
                return x
            return out
        """,
    ],
)
def test_append_look_alikes_are_left_alone(code: str) -> None:
    assert_unchanged(code, COMP)
