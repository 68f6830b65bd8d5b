"""start_lines: the same lines as libcst's PositionProvider, without regenerating the module."""

from __future__ import annotations

import libcst as cst
import pytest
from _draft_helpers import dedent
from libcst.metadata import MetadataWrapper, PositionProvider

import eco.draft.lines as lines_module
from eco.draft.lines import start_lines
from eco.draft.scope import Tree, walk

TRICKY = dedent(
    '''
    """Doc."""
    import os; import re

    # a comment
    @decorator(
        1)
    def f(a, b=(1,
                2)):
        if a: x = [1,
                   2]; y = 3
        elif b in [4,
                   5]:
            pass
        else:
            z = {k: v
                 for k, v in a}
        try:
            w = 1
            w += 2
        except (KeyError,
                IndexError) as error:
            raise
        except* ValueError:
            pass
        finally:
            pass
        for i in range(
                10):
            while i < len(b):
                i += 1
            else:
                pass
        with open(a) as h, open(
                b) as k:
            return f"{a!r:>{b}}" + \\
                "tail"


    class C(
            object):
        value = [x
                 for x in range(3)]
    '''
).replace("except* ValueError", "except ValueError")


def _expected(module: cst.Module, nodes: list[cst.CSTNode]) -> dict[int, int]:
    positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    return {id(n): positions[n].start.line for n in nodes}


def test_every_node_gets_the_line_position_provider_gives() -> None:
    module = cst.parse_module(TRICKY)
    nodes = [
        n
        for n in walk(module)
        if isinstance(n, cst.BaseStatement | cst.BaseExpression | cst.ExceptHandler)
    ]
    assert start_lines(Tree(module), TRICKY, nodes) == _expected(module, nodes)


@pytest.mark.parametrize(
    "source",
    [
        "match x:\n    case [1,\n          2]:\n        y = len(x)\n    case _:\n        pass\n",
        "x = 1\n",
    ],
)
def test_match_statements_fall_back_to_the_whole_module(
    source: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = cst.parse_module(source)
    nodes = [n for n in walk(module) if isinstance(n, cst.BaseExpression)]
    calls: list[int] = []
    original = lines_module._whole_module

    def counting(tree: Tree, found: list[cst.CSTNode]) -> dict[int, int]:
        calls.append(1)
        return original(tree, found)

    monkeypatch.setattr(lines_module, "_whole_module", counting)
    assert start_lines(Tree(module), source, nodes) == _expected(module, nodes)
    assert bool(calls) == source.startswith("match")
