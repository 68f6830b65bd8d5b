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

from collections.abc import Callable
from functools import partial
from itertools import pairwise
from typing import TypeVar

import libcst as cst

from eco.draft.recipes._common import (
    clause_safe,
    contains_comment,
    in_nested_scope,
    is_load,
    module_level_message,
    name_references,
)
from eco.draft.recipes._edit import Edit, Plan, Recipe, Site
from eco.draft.scope import Scope, Tree, target_names, walk

__all__ = [
    "APPEND_LOOP",
    "Shape",
    "append_loop_to_comprehension",
    "comprehension_plan",
    "comprehension_unsafe",
    "empty_assign",
    "is_plain_copy",
    "loop_shape",
    "method_call_arg",
    "read_outside",
    "rebound_before",
    "single_statement",
]

T = TypeVar("T")
_DYNAMIC = frozenset({"locals", "vars", "exec", "eval", "super", "dir"})


def method_call_arg(statement: cst.BaseStatement, out: str, method: str) -> cst.BaseExpression | None:
    """``expr`` when ``statement`` is exactly ``out.method(expr)`` (one positional argument)."""
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
        and call.func.attr.value == method
        and len(call.args) == 1
        and call.args[0].keyword is None
        and not call.args[0].star
    ):
        return call.args[0].value
    return None


def single_statement(suite: cst.BaseSuite) -> cst.BaseStatement | None:
    """The one statement of a block, as a statement line even when written on the header's line."""
    if isinstance(suite, cst.IndentedBlock) and len(suite.body) == 1:
        return suite.body[0]
    if isinstance(suite, cst.SimpleStatementSuite) and len(suite.body) == 1:
        # `for x in xs: out.append(x)` on one line.
        return cst.SimpleStatementLine(body=suite.body)
    return None


Shape = tuple[list[cst.For], list[cst.BaseExpression], T]


def loop_shape(loop: cst.For, leaf: Callable[[cst.BaseStatement], T | None]) -> Shape[T] | None:
    """``(fors, conditions, leaf)`` when the loop is a chain of ``for``/``if`` ending in one
    statement that ``leaf`` recognises (it returns what it found, or None).

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
        inner = single_statement(current.body)
        if inner is None:
            return None
        current = inner
    while isinstance(current, cst.If):
        if current.orelse is not None:
            return None
        conditions.append(current.test)
        inner = single_statement(current.body)
        if inner is None:
            return None
        current = inner
    found = leaf(current)
    return None if found is None else (fors, conditions, found)


def append_loop_to_comprehension(scope: Scope) -> list[Site]:
    sites = []
    for first, second, out in assign_then_loop(scope, "list"):
        shape = loop_shape(second, partial(method_call_arg, out=out, method="append"))
        if shape is None or is_plain_copy(shape):
            continue  # a plain copy is manual-list-copy's
        message = f"`{out}.append(...)` in a loop builds a list one call at a time; a list comprehension is faster"
        fors, conditions, element = shape
        reason = (
            module_level_message()
            if not scope.is_function
            else comprehension_unsafe(scope, second, out, fors, [element, *conditions])
        )
        if reason is not None:
            sites.append(Site(second, f"{message}; not fixed: {reason}", False))
        else:
            plan = comprehension_plan(
                scope, first, second, fors, conditions, [element], _build_list
            )
            sites.append(Site(second, message, True, plan))
    return sites


def _build_list(parts: list[cst.BaseExpression], comp_for: cst.CompFor) -> cst.BaseExpression:
    elt = parts[0]
    if isinstance(elt, cst.GeneratorExp) and not elt.lpar:
        elt = elt.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    return cst.ListComp(elt=elt, for_in=comp_for)


def is_plain_copy(shape: Shape[cst.BaseExpression]) -> bool:
    """True for ``for x in y: out.append(x)``: one loop, no condition, the element is the target."""
    fors, conditions, element = shape
    return (
        len(fors) == 1
        and not conditions
        and isinstance(fors[0].target, cst.Name)
        and isinstance(element, cst.Name)
        and element.value == fors[0].target.value
    )


def assign_then_loop(scope: Scope, kind: str) -> list[tuple[cst.BaseStatement, cst.For, str]]:
    """``(assignment, loop, name)`` for every ``name = <empty kind>`` directly followed by a loop."""
    found = []
    for node in scope.of(cst.IndentedBlock, cst.Module):
        assert isinstance(node, cst.IndentedBlock | cst.Module)
        for first, second in pairwise(node.body):
            out = empty_assign(scope, first, kind)
            if out is not None and isinstance(second, cst.For):
                found.append((first, second, out))
    return found


def empty_assign(scope: Scope, statement: cst.BaseStatement, kind: str) -> str | None:
    """``name`` when ``statement`` is ``name = []`` (kind ``list``), ``name = {}`` or
    ``name = dict()`` (``dict``), or ``name = set()`` (``set``)."""
    if not (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Assign)
        and len(statement.body[0].targets) == 1
    ):
        return None
    assign = statement.body[0]
    target = assign.targets[0].target
    value = assign.value
    if not isinstance(target, cst.Name) or contains_comment(value):
        return None
    empty = False
    if kind == "list":
        empty = isinstance(value, cst.List) and not value.elements
    elif kind == "dict":
        empty = isinstance(value, cst.Dict) and not value.elements
    if (
        isinstance(value, cst.Call)
        and isinstance(value.func, cst.Name)
        and value.func.value == kind
        and kind in ("dict", "set")
        and not value.args
    ):
        empty = scope.facts.builtin(kind) if scope.is_function else True
    return target.value if empty else None


def comprehension_unsafe(
    scope: Scope,
    loop: cst.For,
    out: str,
    fors: list[cst.For],
    pieces: list[cst.BaseExpression],
) -> str | None:
    """Why turning ``loop`` (which fills ``out``) into a comprehension could change what the
    program does; ``pieces`` are the element parts and conditions it evaluates."""
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
    parts: list[cst.CSTNode] = [*pieces, *(f.iter for f in fors)]
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
        reason = read_outside(scope, loop, name)
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


def read_outside(scope: Scope, loop: cst.For, name: str) -> str | None:
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
        if rebound_before(scope, use, name):
            continue
        if order[id(use)] > order[id(loop)] or enclosing_loop:
            return (
                f"loop variable `{name}` is read after the loop (a comprehension does not leak it)"
            )
    return None


def rebound_before(scope: Scope, use: cst.Name, name: str) -> bool:
    """True when ``use`` can only run after something else bound ``name``: it reads a
    comprehension's own variable, or it sits in the body of another ``for`` loop whose target
    binds ``name`` (the body runs only once the target is bound)."""
    if scope.facts.comprehension_binding(name, use) is not None:
        return True
    tree = scope.tree
    previous: cst.CSTNode = use
    for ancestor in tree.ancestors(use):
        if ancestor is scope.node:
            return False
        if (
            isinstance(ancestor, cst.For)
            and previous is ancestor.body
            and any(n.value == name for n in target_names(ancestor.target))
        ):
            return True
        previous = ancestor
    return False


def comprehension_plan(
    scope: Scope,
    assign: cst.BaseStatement,
    loop: cst.For,
    fors: list[cst.For],
    conditions: list[cst.BaseExpression],
    pieces: list[cst.BaseExpression],
    build_value: Callable[[list[cst.BaseExpression], cst.CompFor], cst.BaseExpression],
) -> Plan:
    """Replace ``assign``'s value with the comprehension ``build_value`` makes from the moved
    ``pieces`` and the loop's clauses, and remove the loop."""
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
                [cst.CompIf(test=clause_safe(moved(c))) for c in conditions]
                if index == len(fors) - 1
                else []
            )
            comp_for = cst.CompFor(
                target=loop_for.target,
                iter=clause_safe(moved(loop_for.iter)),
                ifs=ifs,
                inner_for_in=comp_for,
            )
        assert comp_for is not None
        value = build_value([moved(p) for p in pieces], comp_for)
        return updated.with_changes(body=[small.with_changes(value=value)])

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


APPEND_LOOP = Recipe(
    "append_loop_to_comprehension",
    append_loop_to_comprehension,
    "Building a list with `.append()` in a loop pays an attribute lookup and a method call per "
    "element; a list comprehension appends in the interpreter loop itself.",
)
