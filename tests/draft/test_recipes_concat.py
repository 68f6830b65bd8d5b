"""string-concat-in-loop and list-concat-in-loop: sequences grown by concatenation."""

from __future__ import annotations

import pytest
from _draft_helpers import assert_rewrites, assert_unchanged

STRING = "string-concat-in-loop"
LIST = "list-concat-in-loop"


def test_string_parts_are_joined_after_the_loop() -> None:
    assert_rewrites(
        """
        def render(rows: list[str], sep: str) -> str:
            out = "<"
            count = 0
            for row in rows:
                # one line per row
                out += row.strip() + sep
                if row:
                    out += f"[{count}]"; count += 1
            else:
                out += ">"
            return out.upper()
        """,
        """
        def render(rows: list[str], sep: str) -> str:
            out_parts = ["<"]
            count = 0
            for row in rows:
                # one line per row
                out_parts.append(row.strip() + sep)
                if row:
                    out_parts.append(f"[{count}]"); count += 1
            else:
                out_parts.append(">")
            out = "".join(out_parts)
            return out.upper()
        """,
        STRING,
    )


def test_empty_start_and_while_loop() -> None:
    assert_rewrites(
        """
        def digits(n: int) -> str:
            text = ""
            while n:
                text += str(n % 10)
                n //= 10
            return text
        """,
        """
        def digits(n: int) -> str:
            text_parts = []
            while n:
                text_parts.append(str(n % 10))
                n //= 10
            text = "".join(text_parts)
            return text
        """,
        STRING,
    )


@pytest.mark.parametrize(
    "code",
    [
        # read inside the loop
        """
        def f(rows: list[str]) -> str:
            out = ""
            for row in rows:
                out += row
                if len(out) > 10:
                    break
            return out
        """,
        # the part's type is unknown: `+=` would raise at once, join() only at the end
        """
        def f(rows) -> str:
            out = ""
            for row in rows:
                out += row
            return out
        """,
        # does not start as a str literal
        """
        def f(rows: list[str], start: str) -> str:
            out = start
            for row in rows:
                out += row
            return out
        """,
        # bytes
        """
        def f(rows: list[bytes]) -> bytes:
            out = b""
            for row in rows:
                out += row
            return out
        """,
        # used between the assignment and the loop
        """
        def f(rows: list[str]) -> str:
            out = ""
            print(out)
            for row in rows:
                out += row
            return out
        """,
        # updated in two different loops
        """
        def f(rows: list[str]) -> str:
            out = ""
            for row in rows:
                out += row
            for row in rows:
                out += row
            return out
        """,
        # inside try: an exception half-way would leave a different string behind
        """
        def f(rows: list[str]) -> str:
            try:
                out = ""
                for row in rows:
                    out += row
            finally:
                pass
            return out
        """,
        # a nested function sees it
        """
        def f(rows: list[str]) -> str:
            out = ""
            for row in rows:
                out += row
                show = lambda: out
            return out
        """,
        # global
        """
        def f(rows: list[str]) -> None:
            global out
            out = ""
            for row in rows:
                out += row
        """,
        # assigned twice
        """
        def f(rows: list[str]) -> str:
            out = ""
            for row in rows:
                out += row
            out = ""
            return out
        """,
    ],
)
def test_string_look_alikes_are_left_alone(code: str) -> None:
    assert_unchanged(code, STRING)


def test_list_concatenation_becomes_in_place() -> None:
    assert_rewrites(
        """
        def grow(n: int, more: list[int]) -> list[int]:
            found = []
            acc = [0]
            for i in range(n):
                found = found + [i]
                found = found + [i, -i]
                acc = acc + more
                acc += [i * 2]
            return found + acc
        """,
        """
        def grow(n: int, more: list[int]) -> list[int]:
            found = []
            acc = [0]
            for i in range(n):
                found.append(i)
                found += [i, -i]
                acc += more
                acc.append(i * 2)
            return found + acc
        """,
        LIST,
    )


@pytest.mark.parametrize(
    "code",
    [
        # another name holds the list: with += it would see the growth
        """
        def f(n: int) -> tuple[list[int], list[int]]:
            found = []
            first = found
            for i in range(n):
                found = found + [i]
            return found, first
        """,
        # a parameter: the caller holds the list
        """
        def f(found: list[int], n: int) -> list[int]:
            for i in range(n):
                found = found + [i]
            return found
        """,
        # iterating the list while growing it: += would never stop
        """
        def f() -> list[int]:
            grow = [0]
            for x in grow:
                if x < 5:
                    grow = grow + [x + 1]
            return grow
        """,
        # not known to be a list
        """
        def f(start, n: int):
            out = start
            for i in range(n):
                out = out + [i]
            return out
        """,
        # passed on while still growing
        """
        def f(n: int, sink) -> list[int]:
            out = []
            for i in range(n):
                sink(out)
                out = out + [i]
            return out
        """,
        # += [x] on something that may not be a list
        """
        def f(out, n: int) -> None:
            for i in range(n):
                out += [i]
        """,
        # seen by a nested function
        """
        def f(n: int) -> list[int]:
            out = []
            for i in range(n):
                out = out + [i]
            get = lambda: out
            return get()
        """,
    ],
)
def test_list_look_alikes_are_left_alone(code: str) -> None:
    assert_unchanged(code, LIST)


def test_a_generator_over_the_list_blocks_the_in_place_rewrite() -> None:
    assert_unchanged(
        """
        def f(n: int) -> int:
            found = [0]
            total = 0
            for i in range(n):
                pending = (x for x in found)
                found = found + [i]
                total += sum(pending)
            return total
        """,
        LIST,
    )
