"""Differential tests: the original and every drafted candidate give equal results (or raise the
same exception type) on generated inputs that respect the functions' annotations."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from _draft_helpers import dedent, load, make_target, outcome
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eco.draft import draft_recipes

WORDS = st.sampled_from(["a", "an", "the", "and", "x", "Apple", "b-c", "", "it's", "42"])
TEXT = st.lists(
    st.sampled_from(["a", "An", "THE", "x,", "(y)", "..", "z", " ", "\t", "\n", "ok!"])
).map("".join)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

CASES: dict[str, tuple[str, str, st.SearchStrategy[tuple[Any, ...]], set[str]]] = {
    "tokens": (
        """
        import re


        def tokenize(text: str) -> list[str]:
            words = []
            for raw in text.split():
                word = re.sub(r"^[^\\w]+|[^\\w]+$", "", raw.lower())
                if word:
                    words.append(word)
            return words
        """,
        "tokenize",
        st.tuples(st.one_of(TEXT, st.none(), st.integers())),
        {"regex-compile-in-loop"},
    ),
    "content": (
        """
        def content_words(text: str) -> list[str]:
            kept = []
            for word in text.lower().split():
                if word not in ["a", "an", "and", "the", "of", "to"]:
                    kept.append(word)
            return kept
        """,
        "content_words",
        st.tuples(st.one_of(TEXT, st.none())),
        {"membership-in-list-literal", "append-loop-to-comprehension"},
    ),
    "frequencies": (
        """
        def frequencies(words: list[str], weights: dict[str, float]) -> tuple[dict[str, int], dict[str, float]]:
            counts = {}
            for word in words:
                if word in counts:
                    counts[word] += 1
                else:
                    counts[word] = 1
                if word not in weights:
                    weights[word] = 0.5
                weights[word] += 0.25
            return counts, weights
        """,
        "frequencies",
        st.tuples(
            st.lists(st.one_of(WORDS, st.lists(st.integers(), max_size=1))),
            st.dictionaries(WORDS, st.floats(-5, 5)),
        ),
        {"dict-membership-then-index"},
    ),
    "shared": (
        """
        def shared(left: list[str], right: tuple[str, ...], extra: list[int]) -> list[object]:
            out = [w for w in left if w in right]
            for i in range(len(left)):
                if i not in extra:
                    out.append(i)
            return out
        """,
        "shared",
        st.tuples(st.lists(WORDS), st.lists(WORDS).map(tuple), st.lists(st.integers(-3, 8))),
        {"membership-in-list-param"},
    ),
    "any_all": (
        """
        def judge(words: list[str], limit: int) -> tuple[bool, bool]:
            long = any([len(w) > limit for w in words])
            clean = all([w.isalpha() and not w.startswith("x") for w in words if w])
            return long, clean
        """,
        "judge",
        st.tuples(st.lists(WORDS), st.integers(-1, 6)),
        {"materialized-list-in-any-all"},
    ),
    "queue": (
        """
        def reachable(graph: dict[int, list[int]], start: int) -> list[int]:
            seen = {start}
            order = []
            queue = [start]
            while queue:
                node = queue.pop(0)
                order.append(node)
                for nxt in graph.get(node, ()):
                    if nxt not in seen:
                        seen.add(nxt)
                        queue.append(nxt)
                if len(queue) > 3 and node % 2:
                    queue.pop()
            return order
        """,
        "reachable",
        st.tuples(
            st.dictionaries(st.integers(0, 9), st.lists(st.integers(0, 9), max_size=4)),
            st.integers(0, 9),
        ),
        {"list-pop-front"},
    ),
    "memo": (
        """
        def compositions(total: int, largest: int) -> int:
            if total == 0:
                return 1
            ways = 0
            for part in range(1, min(total, largest) + 1):
                ways += compositions(total - part, largest)
            return ways


        def half(n: int) -> float:
            return n / 2 if n < 2 else half(n - 1) + half(n - 2)
        """,
        "compositions",
        st.tuples(st.one_of(st.integers(-2, 14), st.booleans()), st.integers(0, 5)),
        {"memoize-pure-recursion"},
    ),
    "pairs": (
        """
        def sums(pairs: list[tuple[int, int]], flag: bool) -> list[int]:
            out = []
            for a, b in pairs:
                if a > 0:
                    out.append(a + b)
            more = []
            for x in (pairs if flag else []):
                for y in x:
                    more.append(y * 2)
            return out + more
        """,
        "sums",
        st.tuples(st.lists(st.tuples(st.integers(-3, 3), st.integers(-3, 3))), st.booleans()),
        {"append-loop-to-comprehension"},
    ),
}


def _variants(key: str) -> list[tuple[str, Callable[..., Any], Callable[..., Any]]]:
    code, name, _, expected = CASES[key]
    source = dedent(code)
    found = draft_recipes(make_target(source, name))
    ids = {part for c in found for part in c.antipattern.split("+")} if found else set()
    assert ids == expected
    return [(c.antipattern or "", load(source, name), load(c.new_file_source, name)) for c in found]


@pytest.mark.parametrize("key", sorted(CASES))
def test_candidates_agree_with_the_original(key: str) -> None:
    variants = _variants(key)
    strategy = CASES[key][2]

    @SETTINGS
    @given(strategy)
    def check(args: tuple[Any, ...]) -> None:
        for antipattern, original, rewritten in variants:
            # Fresh copies: some functions mutate their arguments.
            first = outcome(original, *_copy(args))
            second = outcome(rewritten, *_copy(args))
            assert first == second, (antipattern, args)

    check()


def _copy(args: tuple[Any, ...]) -> tuple[Any, ...]:
    import copy

    return copy.deepcopy(args)


def test_memoized_function_keeps_int_and_bool_results_apart() -> None:
    source = dedent(
        """
        def fib(n: int) -> int:
            return n if n < 2 else fib(n - 1) + fib(n - 2)
        """
    )
    (candidate,) = draft_recipes(make_target(source, "fib"))
    original, rewritten = load(source, "fib"), load(candidate.new_file_source, "fib")
    for arg in (1, True, 1.0, 0, False, 10):
        expected, got = original(arg), rewritten(arg)
        assert (type(expected), expected) == (type(got), got)
