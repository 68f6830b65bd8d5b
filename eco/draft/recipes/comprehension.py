"""``out = []`` then ``for x in it: [if cond:] out.append(expr)``: a list comprehension.

The comprehension skips the attribute lookup and method call per element. It is the same
program only when nothing can tell the difference:

* the loop variables do not leak: a comprehension does not leave ``x`` bound after it, so
  nothing may read ``x`` after the loop (nor, in an enclosing loop, before it);
* an exception half-way cannot be observed: the loop list is not inside ``try``/``with``;
* the element, the iterable and the conditions behave the same in the comprehension's own
  scope: no ``yield``/``await``/walrus, no zero-argument ``super()``, no lambda or lazy
  generator that would capture the loop variable;
* no comment would be lost.
"""

from __future__ import annotations

from itertools import pairwise

import libcst as cst

from eco.draft.recipes._common import (
    contains_comment,
    in_nested_scope,
    is_load,
    module_level_message,
    name_references,
)
from eco.draft.recipes._edit import Edit, Plan, Recipe, Site
from eco.draft.scope import Scope, Tree, target_names, walk

__all__ = ["APPEND_LOOP", "append_loop_to_comprehension"]

_DYNAMIC = frozenset({"locals", "vars", "exec", "eval", "super", "dir"})


def _append_call(statement: cst.BaseStatement, out: str) -> cst.BaseExpression | None:
    """The appended expression when ``statement`` is exactly ``out.append(expr)``."""
    if not (isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1):
        return None
    small = statement.body[0]
    if not (isinstance(small, cst.Expr) and isinstance(small.value, cst.Call)):
        return None
    call = small.value
    if (
        isinstance(call.func, cst.Attribute)
        and isinstance(call.func.value, cst.Name)
        and call.func.value.value == out
        and call.func.attr.value == "append"
        and len(call.args) == 1
        and call.args[0].keyword is None
        and not call.args[0].star
    ):
        return call.args[0].value
    return None


def _block_single(suite: cst.BaseSuite) -> cst.BaseStatement | None:
    if isinstance(suite, cst.IndentedBlock) and len(suite.body) == 1:
        return suite.body[0]
    if isinstance(suite, cst.SimpleStatementSuite) and len(suite.body) == 1:
        # `for x in xs: out.append(x)` on one line.
        return cst.SimpleStatementLine(body=suite.body)
    return None


def _shape(
    loop: cst.For, out: str
) -> tuple[list[cst.For], list[cst.BaseExpression], cst.BaseExpression] | None:
    """``(fors, conditions, element)`` when the loop is a chain of ``for``/``if`` ending in one append.

    Conditions are only recognised after the last ``for`` (``for a: for b: if c:``), which
    keeps the comprehension's clause order identical to the loop's.
    """
    fors: list[cst.For] = []
    conditions: list[cst.BaseExpression] = []
    current: cst.BaseStatement = loop
    while isinstance(current, cst.For) and not conditions:
        if current.orelse is not None or current.asynchronous is not None:
            return None
        fors.append(current)
        inner = _block_single(current.body)
        if inner is None:
            return None
        current = inner
    while isinstance(current, cst.If):
        if current.orelse is not None:
            return None
        conditions.append(current.test)
        inner = _block_single(current.body)
        if inner is None:
            return None
        current = inner
    element = _append_call(current, out)
    return None if element is None else (fors, conditions, element)


def append_loop_to_comprehension(scope: Scope) -> list[Site]:
    sites = []
    for node in scope.of(cst.IndentedBlock, cst.Module):
        if not isinstance(node, cst.IndentedBlock | cst.Module):
            continue
        body = list(node.body)
        for first, second in pairwise(body):
            out = _empty_list_assign(first)
            if out is None or not isinstance(second, cst.For):
                continue
            shape = _shape(second, out)
            if shape is None:
                continue
            message = f"`{out}.append(...)` in a loop builds a list one call at a time; a list comprehension is faster"
            reason = (
                module_level_message()
                if not scope.is_function
                else _unsafe(scope, first, second, out, shape)
            )
            if reason is not None:
                sites.append(Site(second, f"{message}; not fixed: {reason}", False))
            else:
                sites.append(Site(second, message, True, _plan(scope, first, second, shape)))
    return sites


def _empty_list_assign(statement: cst.BaseStatement) -> str | None:
    if (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Assign)
        and len(statement.body[0].targets) == 1
    ):
        assign = statement.body[0]
        target = assign.targets[0].target
        if (
            isinstance(target, cst.Name)
            and isinstance(assign.value, cst.List)
            and not assign.value.elements
            and not contains_comment(assign.value)
        ):
            return target.value
    return None


def _unsafe(
    scope: Scope,
    assign: cst.BaseStatement,
    loop: cst.For,
    out: str,
    shape: tuple[list[cst.For], list[cst.BaseExpression], cst.BaseExpression],
) -> str | None:
    fors, conditions, element = shape
    tree = scope.tree
    facts = scope.facts
    if contains_comment(loop, skip_leading=False):
        return "the loop holds comments that the rewrite would drop"
    if out in facts.declared:
        return f"`{out}` is declared global or nonlocal"
    if any(
        in_nested_scope(tree, use, scope.node) for use in name_references(tree, scope.node, out)
    ):
        # A closure could look at `out` while the loop runs; the comprehension binds it after.
        return f"`{out}` is used by a nested function or lambda"
    if tree.in_try_or_with(loop, scope.node):
        return "inside try/with an exception half-way through would leave a different list behind"
    # Names the loop binds, and every part the comprehension would evaluate.
    targets: set[str] = set()
    for loop_for in fors:
        if not _plain_target(loop_for.target):
            return "the loop target is not a plain name or tuple of names"
        targets.update(name.value for name in target_names(loop_for.target))
    if out in targets:
        return f"the loop rebinds `{out}`"
    parts: list[cst.CSTNode] = [element, *conditions, *(f.iter for f in fors)]
    for part in parts:
        for node in walk(part):
            if isinstance(node, cst.Yield | cst.Await | cst.NamedExpr):
                return (
                    f"`{scope.code(node).strip()[:30]}` behaves differently inside a comprehension"
                )
            if isinstance(node, cst.Name) and node.value == out:
                return f"the loop reads `{out}` while it is being built"
            if isinstance(node, cst.Name) and node.value in _DYNAMIC:
                return f"`{node.value}()` sees a different scope inside a comprehension"
            if isinstance(node, cst.Lambda | cst.GeneratorExp | cst.FunctionDef) and _captures(
                node, targets
            ):
                return "a lambda or generator in the loop captures the loop variable"
    for name in targets:
        if name in facts.declared:
            return f"loop variable `{name}` is declared global or nonlocal"
        reason = _read_outside(scope, loop, name)
        if reason is not None:
            return reason
    return None


def _plain_target(target: cst.BaseExpression) -> bool:
    if isinstance(target, cst.Name):
        return True
    if isinstance(target, cst.Tuple | cst.List):
        return all(isinstance(e, cst.Element) and _plain_target(e.value) for e in target.elements)
    return False


def _captures(node: cst.CSTNode, targets: set[str]) -> bool:
    skip: set[int] = set()
    if isinstance(node, cst.GeneratorExp):
        # The outermost iterable of a generator is evaluated right away.
        skip = {id(n) for n in walk(node.for_in.iter)}
    return any(
        isinstance(n, cst.Name) and n.value in targets and id(n) not in skip for n in walk(node)
    )


def _read_outside(scope: Scope, loop: cst.For, name: str) -> str | None:
    """Why the loop variable's final value might be observed after the rewrite."""
    tree = scope.tree
    enclosing_loop = bool(tree.loop_ancestors(loop, scope.node))
    order = {id(n): i for i, n in enumerate(walk(scope.node))}
    for use in name_references(tree, scope.node, name):
        if any(a is loop for a in tree.ancestors(use)):
            continue
        if in_nested_scope(tree, use, scope.node):
            return f"loop variable `{name}` is used by a nested function or lambda"
        if not is_load(tree, use) and not isinstance(tree.parent(use), cst.Del):
            continue  # rebinding it elsewhere is fine
        if order[id(use)] > order[id(loop)] or enclosing_loop:
            return (
                f"loop variable `{name}` is read after the loop (a comprehension does not leak it)"
            )
    return None


def _plan(
    scope: Scope,
    assign: cst.BaseStatement,
    loop: cst.For,
    shape: tuple[list[cst.For], list[cst.BaseExpression], cst.BaseExpression],
) -> Plan:
    fors, conditions, element = shape
    tree = scope.tree
    default = tree.module.default_indent

    def moved(part: cst.BaseExpression) -> cst.BaseExpression:
        # The part moves out of the loop's indented blocks: continuation lines inside its
        # brackets are relative to the block, so give them back the indentation they lose.
        extra = "".join(
            block.indent if block.indent is not None else default
            for block in _blocks_between(tree, part, loop)
        )
        return part.visit(_Reindent(extra)) if extra else part  # type: ignore[return-value]

    def build(updated: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(updated, cst.SimpleStatementLine)
        small = updated.body[0]
        assert isinstance(small, cst.Assign)
        comp_for: cst.CompFor | None = None
        for index, loop_for in reversed(list(enumerate(fors))):
            ifs = (
                [cst.CompIf(test=_guard(moved(c))) for c in conditions]
                if index == len(fors) - 1
                else []
            )
            comp_for = cst.CompFor(
                target=loop_for.target,
                iter=_guard(moved(loop_for.iter)),
                ifs=ifs,
                inner_for_in=comp_for,
            )
        assert comp_for is not None
        elt = moved(element)
        if isinstance(elt, cst.GeneratorExp) and not elt.lpar:
            elt = elt.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
        comp = cst.ListComp(elt=elt, for_in=comp_for)
        return updated.with_changes(body=[small.with_changes(value=comp)])

    def plan(edit: Edit) -> None:
        edit.replace_node(assign, build)
        edit.replace_node(loop, lambda _updated: cst.RemovalSentinel.REMOVE)

    return plan


def _blocks_between(tree: Tree, node: cst.CSTNode, loop: cst.For) -> list[cst.IndentedBlock]:
    """The indented blocks of the loop that hold ``node``."""
    blocks = []
    for ancestor in tree.ancestors(node):
        if ancestor is loop:
            break
        if isinstance(ancestor, cst.IndentedBlock):
            blocks.append(ancestor)
    return blocks


class _Reindent(cst.CSTTransformer):
    def __init__(self, extra: str) -> None:
        super().__init__()
        self.extra = extra

    def leave_ParenthesizedWhitespace(
        self, original_node: cst.ParenthesizedWhitespace, updated_node: cst.ParenthesizedWhitespace
    ) -> cst.ParenthesizedWhitespace:
        if not updated_node.indent:
            return updated_node
        last = updated_node.last_line
        return updated_node.with_changes(last_line=cst.SimpleWhitespace(self.extra + last.value))


def _guard(expr: cst.BaseExpression) -> cst.BaseExpression:
    """Parenthesize what a comprehension clause cannot hold bare."""
    needs = isinstance(expr, cst.IfExp | cst.Lambda | cst.NamedExpr | cst.Yield) or (
        isinstance(expr, cst.Tuple) and not expr.lpar
    )
    if needs and not expr.lpar:
        return expr.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    return expr


APPEND_LOOP = Recipe(
    "append_loop_to_comprehension",
    append_loop_to_comprehension,
    "Building a list with `.append()` in a loop pays an attribute lookup and a method call per "
    "element; a list comprehension appends in the interpreter loop itself.",
)
