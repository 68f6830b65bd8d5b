"""The tiny type inference recipes rely on: known only when every binding agrees."""

from __future__ import annotations

import libcst as cst
import pytest
from _draft_helpers import dedent

from eco.draft.facts import is_hashable
from eco.draft.scope import ModuleInfo, Scope, Tree


def _scope(code: str, qualname: str = "f") -> Scope:
    module = cst.parse_module(dedent(code))
    tree = Tree(module)
    fn = tree.find_function(qualname)
    assert fn is not None
    return Scope(tree, fn, qualname, ModuleInfo(module))


@pytest.mark.parametrize(
    ("code", "name", "expected"),
    [
        ("def f(s: str):\n    return s\n", "s", {"str"}),
        ("def f(n: int | None):\n    return n\n", "n", {"int", "none"}),
        ("def f(s: str):\n    t = s.strip().lower()\n    return t\n", "t", {"str"}),
        ("def f(s):\n    t = s.strip()\n    return t\n", "t", None),
        ("def f(s: str):\n    for w in s.split():\n        pass\n", "w", {"str"}),
        ("def f(b: bytes):\n    for w in b:\n        pass\n", "w", {"int"}),
        ("def f(xs: list[str]):\n    for i, x in enumerate(xs):\n        pass\n", "i", {"int"}),
        ("def f(xs: list[str]):\n    for i, x in enumerate(xs):\n        pass\n", "x", {"str"}),
        ("def f(xs: list[str]):\n    for x in sorted(xs):\n        pass\n", "x", {"str"}),
        ("def f():\n    n = 0\n    n += 1\n    return n\n", "n", {"int"}),
        ("def f(extra):\n    n = 0\n    n += extra\n    return n\n", "n", None),
        ("def f(s: str):\n    s = s.split()\n    return s\n", "s", None),
        ("def f(s: str):\n    global s2\n    s2 = ''\n", "s2", None),
        (
            "def f():\n    x = 'a'\n    def g():\n        nonlocal x\n        x = []\n    return x\n",
            "x",
            None,
        ),
        ("def f(*s: str):\n    return s\n", "s", None),
        (
            "from typing import Sequence\ndef f(xs: Sequence[int]):\n    return xs\n",
            "xs",
            {"iter:int"},
        ),
        ("def f(xs: Sequence[int]):\n    return xs\n", "xs", None),  # Sequence not imported
        ("str = bytes\ndef f(s: str):\n    return s\n", "s", None),
        ("def f(w: str):\n    for w in w.split():\n        pass\n", "w", None),  # a cycle
    ],
)
def test_name_types(code: str, name: str, expected: set[str] | None) -> None:
    scope = _scope(code)
    got = scope.facts.name_type(name)
    assert (set(got) if got is not None else None) == expected


def test_comprehension_targets_are_typed_from_their_iterable() -> None:
    scope = _scope(
        """
        def f(text: str, rows):
            a = [w for w in text.split() if w]
            b = [w for w in rows]
            return a, b
        """
    )
    comps = [n for n in scope.nodes() if isinstance(n, cst.ListComp)]
    first_w, second_w = (c.elt for c in comps)
    assert scope.facts.type_of(first_w) == {"str"}
    assert scope.facts.type_of(second_w) is None


def test_hashable_and_builtin_shadowing() -> None:
    assert is_hashable(frozenset({"str", "int"}))
    assert not is_hashable(frozenset({"iter:str"}))
    assert not is_hashable(None)
    scope = _scope("from x import *\ndef f():\n    return len\n")
    assert not scope.facts.builtin("len")
    scope = _scope("def g():\n    len = 1\n    def f():\n        return len\n", "g.f")
    assert not scope.facts.builtin("len")
    assert _scope("def f():\n    return len\n").facts.builtin("len")


def test_qualnames_match_pysource() -> None:
    from eco.pysource import parse_functions

    code = dedent(
        """
        class A:
            class B:
                def m(self):
                    def inner():
                        pass
        if True:
            def g():
                pass
        try:
            def h():
                pass
        except ImportError:
            pass
        """
    )
    tree = Tree(cst.parse_module(code))
    assert [q for q, _ in tree.functions] == [f.qualname for f in parse_functions(code.encode())]
