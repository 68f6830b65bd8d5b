"""Line numbers of libcst nodes without generating the whole module's code.

libcst's `PositionProvider` regenerates the entire module to learn where each node is, which
costs about twice as much as parsing it. `detect` only needs the first line of a few nodes, so
it takes the line of every statement from Python's own (C) parser, walking the libcst and the
`ast` statement trees side by side, and for a node inside a statement it regenerates just
that statement, with any nested blocks left out. When the two trees disagree, it falls back to
`PositionProvider` over the whole module.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from eco.draft.scope import Tree

__all__ = ["start_lines"]

_PASS = cst.IndentedBlock(body=[cst.SimpleStatementLine(body=[cst.Pass()])])


def start_lines(tree: Tree, source: str, nodes: Sequence[cst.CSTNode]) -> dict[int, int]:
    """``id(node) -> 1-based line where the node starts`` for each of ``nodes``."""
    statements: dict[int, int] = {}
    try:
        parsed = ast.parse(source)
    except (SyntaxError, ValueError):
        return _whole_module(tree, nodes)
    if not _block(tree.module.body, parsed.body, statements):
        return _whole_module(tree, nodes)
    lines: dict[int, int] = {}
    inside: dict[int, tuple[cst.CSTNode, list[cst.CSTNode]]] = {}
    for node in nodes:
        if id(node) in statements:
            lines[id(node)] = statements[id(node)]
            continue
        holder = next((a for a in tree.ancestors(node) if id(a) in statements), None)
        if not isinstance(holder, cst.BaseStatement | cst.ExceptHandler | cst.ExceptStarHandler):
            return _whole_module(tree, nodes)
        if isinstance(holder, cst.Match):
            return _whole_module(tree, nodes)  # case headers follow the blocks left out
        inside.setdefault(id(holder), (holder, []))[1].append(node)
    for holder, found in inside.values():
        header: cst.CSTNode
        statement: cst.SimpleStatementLine | cst.BaseCompoundStatement
        if isinstance(holder, cst.ExceptHandler):
            header = handler = holder.with_changes(body=_PASS)
            statement = cst.Try(body=_PASS, handlers=[handler])
        elif isinstance(holder, cst.ExceptStarHandler):
            header = star = holder.with_changes(body=_PASS)
            statement = cst.TryStar(body=_PASS, handlers=[star])
        else:
            assert isinstance(holder, cst.SimpleStatementLine | cst.BaseCompoundStatement)
            header = statement = _without_blocks(holder)
        positions = MetadataWrapper(cst.Module(body=[statement]), unsafe_skip_copy=True).resolve(
            PositionProvider
        )
        base = positions[header].start.line
        for node in found:
            position = positions.get(node)
            if position is None:
                return _whole_module(tree, nodes)
            lines[id(node)] = statements[id(holder)] + position.start.line - base
    return lines


def _whole_module(tree: Tree, nodes: Sequence[cst.CSTNode]) -> dict[int, int]:
    positions = MetadataWrapper(tree.module, unsafe_skip_copy=True).resolve(PositionProvider)
    return {id(node): positions[node].start.line for node in nodes}


def _without_blocks(
    statement: cst.SimpleStatementLine | cst.BaseCompoundStatement,
) -> cst.SimpleStatementLine | cst.BaseCompoundStatement:
    """The statement with every nested block replaced by ``pass`` (its header nodes are the
    same objects), so regenerating it costs only its header."""
    if isinstance(statement, cst.If):
        return statement.with_changes(body=_PASS, orelse=None)
    if isinstance(statement, cst.For | cst.While):
        return statement.with_changes(body=_PASS, orelse=None)
    if isinstance(statement, cst.With | cst.FunctionDef | cst.ClassDef):
        return statement.with_changes(body=_PASS)
    if isinstance(statement, cst.Try | cst.TryStar):
        handlers = [h.with_changes(body=_PASS) for h in statement.handlers]
        final = statement.finalbody
        return statement.with_changes(
            body=_PASS,
            handlers=handlers,
            orelse=None,
            finalbody=final.with_changes(body=_PASS) if final is not None else None,
        )
    if isinstance(statement, cst.Match):
        return statement.with_changes(cases=[c.with_changes(body=_PASS) for c in statement.cases])
    return statement


def _suite(suite: cst.BaseSuite, body: list[ast.stmt], out: dict[int, int]) -> bool:
    if isinstance(suite, cst.IndentedBlock):
        return _block(suite.body, body, out)
    assert isinstance(suite, cst.SimpleStatementSuite)
    return len(suite.body) == len(body)


def _block(
    statements: Sequence[cst.BaseStatement], body: list[ast.stmt], out: dict[int, int]
) -> bool:
    """Record the line of each statement; False when the two trees do not line up."""
    index = 0
    for statement in statements:
        if index >= len(body):
            return False
        if isinstance(statement, cst.SimpleStatementLine):
            out[id(statement)] = body[index].lineno
            index += len(statement.body)
            continue
        node = body[index]
        index += 1
        out[id(statement)] = node.lineno
        if not _compound(statement, node, out):
            return False
    return index == len(body)


def _compound(statement: cst.BaseStatement, node: ast.stmt, out: dict[int, int]) -> bool:
    if isinstance(statement, cst.FunctionDef):
        return isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and _suite(
            statement.body, node.body, out
        )
    if isinstance(statement, cst.ClassDef):
        return isinstance(node, ast.ClassDef) and _suite(statement.body, node.body, out)
    if isinstance(statement, cst.If):
        if not (isinstance(node, ast.If) and _suite(statement.body, node.body, out)):
            return False
        orelse = statement.orelse
        if isinstance(orelse, cst.If):
            if len(node.orelse) != 1:
                return False
            out[id(orelse)] = node.orelse[0].lineno
            return _compound(orelse, node.orelse[0], out)
        if isinstance(orelse, cst.Else):
            return _suite(orelse.body, node.orelse, out)
        return not node.orelse
    if isinstance(statement, cst.For | cst.While):
        kinds = (ast.For, ast.AsyncFor) if isinstance(statement, cst.For) else (ast.While,)
        if not (isinstance(node, kinds) and _suite(statement.body, node.body, out)):
            return False
        assert isinstance(node, ast.For | ast.AsyncFor | ast.While)
        if statement.orelse is None:
            return not node.orelse
        return _suite(statement.orelse.body, node.orelse, out)
    if isinstance(statement, cst.With):
        return isinstance(node, ast.With | ast.AsyncWith) and _suite(statement.body, node.body, out)
    if isinstance(statement, cst.Try | cst.TryStar):
        kind = ast.Try if isinstance(statement, cst.Try) else ast.TryStar
        if not isinstance(node, kind) or len(statement.handlers) != len(node.handlers):
            return False
        assert isinstance(node, ast.Try | ast.TryStar)
        parts: list[tuple[cst.BaseSuite, list[ast.stmt]]] = [(statement.body, node.body)]
        for handler, ast_handler in zip(statement.handlers, node.handlers, strict=True):
            assert isinstance(handler, cst.ExceptHandler | cst.ExceptStarHandler)
            out[id(handler)] = ast_handler.lineno
            parts.append((handler.body, ast_handler.body))
        if statement.orelse is not None:
            parts.append((statement.orelse.body, node.orelse))
        elif node.orelse:
            return False
        if statement.finalbody is not None:
            parts.append((statement.finalbody.body, node.finalbody))
        elif node.finalbody:
            return False
        return all(_suite(suite, body, out) for suite, body in parts)
    if isinstance(statement, cst.Match):
        if not isinstance(node, ast.Match) or len(statement.cases) != len(node.cases):
            return False
        return all(
            _suite(case.body, ast_case.body, out)
            for case, ast_case in zip(statement.cases, node.cases, strict=True)
        )
    return False
