"""materialized-list-in-any-all and regex-compile-in-loop."""

from __future__ import annotations

import pytest
from _draft_helpers import assert_rewrites, assert_unchanged

ANY = "materialized-list-in-any-all"
REGEX = "regex-compile-in-loop"


def test_any_and_all_get_generators() -> None:
    assert_rewrites(
        """
        def check(words: list[str], limit: int) -> bool:
            long = any([len(w) > limit for w in words])
            clean = all([w.isalpha() and not w.startswith("x") for w in words if w])
            return long and clean and all([isinstance(v, int) for n in [1, 2] for v in range(n)])
        """,
        """
        def check(words: list[str], limit: int) -> bool:
            long = any(len(w) > limit for w in words)
            clean = all(w.isalpha() and not w.startswith("x") for w in words if w)
            return long and clean and all(isinstance(v, int) for n in [1, 2] for v in range(n))
        """,
        ANY,
    )


def test_multiline_list_keeps_its_line_breaks() -> None:
    assert_rewrites(
        """
        def check(values: list[int]) -> bool:
            return any([
                abs(v) > 10
                for v in values
            ])
        """,
        """
        def check(values: list[int]) -> bool:
            return any(
                abs(v) > 10
                for v in values
            )
        """,
        ANY,
    )


@pytest.mark.parametrize(
    "code",
    [
        # a call with possible side effects: short-circuiting would skip it
        """
        def f(items, log):
            return any([log(x) for x in items])
        """,
        # a method on something not known to be str
        """
        def f(items):
            return all([x.ready() for x in items])
        """,
        # the inner iterable is evaluated lazily too
        """
        def f(groups, load):
            return any([x > 0 for g in groups for x in load(g)])
        """,
        # walrus leaks the last value
        """
        def f(items: list[int]) -> int:
            any([(y := x) > 2 for x in items])
            return y
        """,
        # `any` is not the builtin
        """
        from mylib import any


        def f(items: list[int]) -> bool:
            return any([x > 2 for x in items])
        """,
        # sum is reported, never rewritten
        """
        def f(items: list[int]) -> int:
            return sum([x * 2 for x in items])
        """,
        # a list literal, not a comprehension
        """
        def f(a: int, b: int) -> bool:
            return any([a, b])
        """,
        # min() over one iterable could consume an iterator
        """
        def f(rows: list[int], it) -> bool:
            return any([min(it) > r for r in rows])
        """,
        # an iterator the caller goes on using: the generator would stop consuming it early
        """
        from typing import Iterator


        def f(it: Iterator[int]) -> bool:
            return any([x > 2 for x in it])
        """,
        # a generator with side effects
        """
        def f(read) -> bool:
            return any([x > 2 for x in read()])
        """,
        # an inner iterable of unknown kind
        """
        def f(rows: list[list[int]]) -> bool:
            return any([x > 2 for row in rows for x in row])
        """,
    ],
)
def test_any_all_look_alikes_are_left_alone(code: str) -> None:
    assert_unchanged(code, ANY)


def test_regex_in_loop_is_compiled_before_the_outermost_loop() -> None:
    assert_rewrites(
        """
        import re


        def clean(lines: list[str]) -> list[str]:
            out = []
            for line in lines:
                for part in line.split(";"):
                    if re.match(r"\\s*#", part):
                        continue
                    out.append(re.sub("[ \\t]+", " ", part, flags=re.I | re.M))
                    out.extend(re.split(r",", part, 2, re.I))
            return out
        """,
        """
        import re


        def clean(lines: list[str]) -> list[str]:
            out = []
            _match_re = re.compile(r"\\s*#")
            _sub_re = re.compile("[ \\t]+", re.I | re.M)
            _split_re = re.compile(r",", re.I)
            for line in lines:
                for part in line.split(";"):
                    if _match_re.match(part):
                        continue
                    out.append(_sub_re.sub(" ", part))
                    out.extend(_split_re.split(part, 2))
            return out
        """,
        REGEX,
    )


def test_regex_in_comprehension_and_positional_count() -> None:
    assert_rewrites(
        """
        import re


        def squash(lines: list[str]) -> list[str]:
            return [re.sub(r"\\s+", " ", line, 1) for line in lines if re.search("x", line)]
        """,
        """
        import re


        def squash(lines: list[str]) -> list[str]:
            _sub_re = re.compile(r"\\s+")
            _search_re = re.compile("x")
            return [_sub_re.sub(" ", line, 1) for line in lines if _search_re.search(line)]
        """,
        REGEX,
    )


def test_same_pattern_twice_shares_one_compiled_name() -> None:
    assert_rewrites(
        """
        import re


        def f(lines: list[str]) -> int:
            n = 0
            while lines:
                line = lines.pop()
                n += len(re.findall("a", line)) + len(re.findall("a", line[::-1]))
            return n
        """,
        """
        import re


        def f(lines: list[str]) -> int:
            n = 0
            _findall_re = re.compile("a")
            while lines:
                line = lines.pop()
                n += len(_findall_re.findall(line)) + len(_findall_re.findall(line[::-1]))
            return n
        """,
        REGEX,
    )


@pytest.mark.parametrize(
    "code",
    [
        # the pattern is a variable
        """
        import re


        def f(lines: list[str], pattern: str) -> list[str]:
            return [line for line in lines if re.match(pattern, line)]
        """,
        # an f-string pattern
        """
        import re


        def f(lines: list[str], word: str) -> list[str]:
            return [line for line in lines if re.match(f"{word}+", line)]
        """,
        # not in a loop
        """
        import re


        def f(line: str) -> bool:
            return bool(re.match("a+", line))
        """,
        # `re` is not the module
        """
        import regex as re


        def f(lines: list[str]) -> list[str]:
            return [line for line in lines if re.match("a", line)]
        """,
        # `re` rebound in the function
        """
        import re


        def f(lines: list[str], re) -> list[str]:
            return [line for line in lines if re.match("a", line)]
        """,
        # a pattern that does not compile would raise before a loop that never runs
        """
        import re


        def f(lines: list[str]) -> list[str]:
            return [line for line in lines if re.match("(", line)]
        """,
        # flags that are not literal
        """
        import re


        def f(lines: list[str], flags: int) -> list[str]:
            return [line for line in lines if re.match("a", line, flags)]
        """,
        # the loop's iterable runs once anyway
        """
        import re


        def f(text: str) -> int:
            n = 0
            for m in re.finditer("a", text):
                n += 1
            return n
        """,
        # import inside the function only
        """
        def f(lines: list[str]) -> list[str]:
            import re
            return [line for line in lines if re.match("a", line)]
        """,
    ],
)
def test_regex_look_alikes_are_left_alone(code: str) -> None:
    assert_unchanged(code, REGEX)


def test_hoisted_line_stays_attached_to_its_loop_under_blank_lines_and_comments() -> None:
    assert_rewrites(
        """
        import re


        def count(lines: list[str]) -> int:
            n = 0

            # count the matching lines
            for line in lines:
                if re.search("x+", line):
                    n += 1
            return n
        """,
        """
        import re


        def count(lines: list[str]) -> int:
            n = 0

            # count the matching lines
            _search_re = re.compile("x+")
            for line in lines:
                if _search_re.search(line):
                    n += 1
            return n
        """,
        REGEX,
    )
