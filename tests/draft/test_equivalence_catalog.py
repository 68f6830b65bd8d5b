"""Differential tests for the catalog's newer fixes: the original and every drafted candidate
(each fix alone, and all of them combined) give equal results, or raise the same exception
type, on generated inputs that respect the functions' annotations."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from _draft_helpers import dedent, load, make_target, outcome
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eco.draft import draft_recipes

WORDS = st.sampled_from(["a", "an", "the", "x", " pad ", "", "A", "it's", "42", "é"])
INTS = st.integers(-(10**6), 10**6)
SMALL = st.integers(-5, 12)
SETTINGS = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])

CASES: dict[str, tuple[str, str, st.SearchStrategy[tuple[Any, ...]], set[str]]] = {
    "dict_views": (
        """
        def summarize(counts: dict[str, int], keys: list[str]) -> tuple[object, ...]:
            total = 0
            for _, value in counts.items():
                total += value
            names = ""
            for name, _ in counts.items():
                names += name + "|"
            hits = sum(1 for key in keys if key in counts.keys())
            values = [v * 2 for k, v in counts.items()]
            return names, total, hits, values
        """,
        "summarize",
        st.tuples(st.dictionaries(WORDS, SMALL), st.lists(WORDS)),
        {"dict-items-unused-part", "dict-keys-membership"},
    ),
    "calls": (
        """
        def shapes(words: list[str], values: tuple[int, ...], n: int) -> tuple[object, ...]:
            a = [w for w in words]
            b = {w for w in words}
            c = list(sorted(words))
            d = len(list(words)) + len(tuple(values))
            e = list(map(lambda v: v * 3 - 1, values))
            f = set(map(lambda w: w[:1], words))
            g = 0
            for v in list(values):
                g += v
            h = bin(n).count("1") + sum(bin(v).count("1") for v in values)
            return a, b, c, d, e, f, g, h
        """,
        "shapes",
        st.tuples(st.lists(WORDS), st.lists(INTS).map(tuple), st.one_of(INTS, st.booleans())),
        {
            "unnecessary-comprehension-copy",
            "len-of-copy",
            "map-lambda-to-comprehension",
            "bin-count-ones",
        },
    ),
    "collect": (
        """
        def gather(rows: list[int], extra: tuple[int, ...], pairs: list[tuple[str, int]]) -> tuple[object, ...]:
            out = []
            for r in rows:
                out.append(r)
            for e in extra:
                out.append(e)
            table = {}
            for k, v in pairs:
                if v > 0:
                    table[k] = v
            seen = set()
            for r in rows:
                seen.add(r % 7)
            more = set()
            for e in extra:
                more.add(e)
            return out, list(table.items()), seen, more
        """,
        "gather",
        st.tuples(st.lists(SMALL), st.lists(SMALL).map(tuple), st.lists(st.tuples(WORDS, SMALL))),
        {"manual-list-copy", "set-add-in-loop"},
    ),
    "concat": (
        """
        def build(rows: list[str], n: int) -> tuple[object, ...]:
            text = "["
            for r in rows:
                text += r.strip() + ","
                if r:
                    text += f"<{r}>"
            found = []
            acc = [0]
            i = 0
            while i < n:
                found = found + [i]
                acc += [i * 2]
                found = found + [j for j in range(i)]
                i += 1
            return text, found, acc
        """,
        "build",
        st.tuples(st.lists(WORDS), st.integers(-2, 15)),
        {"string-concat-in-loop", "list-concat-in-loop", "unnecessary-comprehension-copy"},
    ),
    "invariant": (
        """
        def walk(data: bytes, words: list[str], marks: tuple[int, ...]) -> tuple[int, int, int]:
            total = 0
            i = 0
            while i < len(data):
                total = (total * 31 + data[i]) % 65521
                i += 1
            lengths = 0
            for j in range(len(words)):
                lengths += len(words[j]) + words[j].count("a")
            hits = 0
            for m in marks:
                if m < len(marks) and m < len(words):
                    hits += 1
            return total, lengths, hits
        """,
        "walk",
        st.tuples(st.binary(max_size=40), st.lists(WORDS), st.lists(SMALL).map(tuple)),
        {"loop-invariant-len", "range-len-indexing"},
    ),
    "equality": (
        """
        def classify(words: list[str], n: int) -> tuple[object, ...]:
            small = n == 1 or n == 2 or n == 3
            odd = n != 2 and n != 4 and n != 6.0
            picked = [w for w in words if w == "a" or w == "the"]
            return small, odd, picked
        """,
        "classify",
        st.tuples(st.lists(WORDS), st.one_of(SMALL, st.booleans())),
        {"repeated-equality-comparison"},
    ),
    "insert_front": (
        """
        def undo(actions: list[str], keep: int) -> list[str]:
            stack = []
            for a in actions:
                stack.insert(0, a)
                if len(stack) > keep:
                    stack.pop()
            out = []
            while stack:
                out.append(stack.pop())
            return out
        """,
        "undo",
        st.tuples(st.lists(WORDS), st.integers(-1, 6)),
        {"list-insert-front"},
    ),
}


def _variants(key: str) -> list[tuple[str, Any, Any]]:
    code, name, _, expected = CASES[key]
    source = dedent(code)
    found = draft_recipes(make_target(source, name))
    ids = {part for c in found for part in (c.antipattern or "").split("+")}
    assert ids == expected
    assert len(found) == len(expected) + (1 if len(expected) > 1 else 0)
    return [(c.antipattern or "", load(source, name), load(c.new_file_source, name)) for c in found]


@pytest.mark.parametrize("key", sorted(CASES))
def test_candidates_agree_with_the_original(key: str) -> None:
    variants = _variants(key)
    strategy = CASES[key][2]

    @SETTINGS
    @given(strategy)
    def check(args: tuple[Any, ...]) -> None:
        for antipattern, original, rewritten in variants:
            first = outcome(original, *copy.deepcopy(args))
            second = outcome(rewritten, *copy.deepcopy(args))
            assert first == second, (antipattern, args)
            if first[0] == "ok":
                assert type(first[1]) is type(second[1])

    check()
