"""Sequences grown by concatenation in a loop.

* ``s += part`` on a str may copy the whole string each time (CPython avoids the copy only
  in some cases), so building a string that way can be quadratic. Collecting the parts in a
  list and joining once is linear. Rewritten when ``s`` starts as a str literal right before
  the loop, nothing reads it until the loop is over, and every part is known to be a str.
* ``xs = xs + [...]`` copies the whole list every iteration; ``xs += [...]`` extends it in
  place. That is the same program only when no other name holds the old list, so ``xs`` must
  be a list this function built and never handed to anyone. ``xs += [x]`` builds a one-element
  list to extend with; ``xs.append(x)`` does not.
"""

from __future__ import annotations

import libcst as cst

from eco.draft.facts import STR
from eco.draft.recipes._common import (
    in_nested_scope,
    is_load,
    module_level_message,
    name_references,
    short,
)
from eco.draft.recipes._edit import Edit, Plan, Recipe, Site
from eco.draft.scope import Scope, walk

__all__ = ["LIST_CONCAT", "STRING_CONCAT"]


# -- string-concat-in-loop ------------------------------------------------------------------


def string_concat_in_loop(scope: Scope) -> list[Site]:
    sites = []
    facts = scope.facts
    grouped: dict[str, list[cst.AugAssign]] = {}
    for node in scope.of(cst.AugAssign):
        assert isinstance(node, cst.AugAssign)
        if not (
            isinstance(node.operator, cst.AddAssign)
            and isinstance(node.target, cst.Name)
            and scope.in_loop(node)
        ):
            continue
        name = node.target.value
        starts_as_str = any(
            b.kind in ("assign", "param", "annassign") and facts.binding_type(b) == STR
            for b in facts.bindings.get(name, [])
        )
        if starts_as_str or facts.type_of(node.value) == STR:
            grouped.setdefault(name, []).append(node)
    for name, updates in grouped.items():
        message = (
            f"`{name} += ...` in a loop may copy the string each time; collecting the parts in a "
            "list and joining once is linear"
        )
        reason, found = _string_unsafe(scope, name, updates)
        if reason is not None or found is None:
            sites.append(Site(updates[0], f"{message}; not fixed: {reason}", False))
            continue
        init, loop = found
        sites.append(Site(updates[0], message, True, _plan_join(name, init, loop, updates)))
    return sites


def _string_unsafe(
    scope: Scope, name: str, updates: list[cst.AugAssign]
) -> tuple[str | None, tuple[cst.SimpleStatementLine, cst.BaseStatement] | None]:
    """(why not, None) or (None, (the initial assignment's line, the loop statement))."""
    if not scope.is_function:
        return module_level_message(), None
    facts = scope.facts
    tree = scope.tree
    if name in facts.declared:
        return f"`{name}` is declared global or nonlocal", None
    plain = [b for b in facts.bindings.get(name, []) if b.kind != "augassign"]
    if len(plain) != 1 or plain[0].kind != "assign" or not _str_literal(plain[0].value):
        return f"`{name}` does not start as a str literal assigned once", None
    assign = plain[0].node
    line = tree.parent(assign)
    if not (isinstance(line, cst.SimpleStatementLine) and len(line.body) == 1):
        return f"`{name}` is assigned together with other statements", None
    block = tree.parent(line)
    if not isinstance(block, cst.IndentedBlock):
        return f"`{name}` is not assigned in the function's own blocks", None
    # The loop that holds every update must follow the assignment in the same block.
    body = list(block.body)
    start = next(i for i, statement in enumerate(body) if statement is line)
    loop = None
    for statement in body[start + 1 :]:
        if all(any(a is statement for a in tree.ancestors(u)) for u in updates):
            loop = statement
            break
        if _mentions(statement, name):
            return f"`{name}` is used between its assignment and the loop", None
    if not isinstance(loop, cst.For | cst.While):
        return f"the updates of `{name}` are not all in one loop after its assignment", None
    if tree.in_try_or_with(loop, scope.node):
        return "inside try/with an exception half-way would leave a different string behind", None
    update_ids = {id(u.target) for u in updates}
    for use in name_references(tree, loop, name):
        if id(use) in update_ids:
            continue
        if in_nested_scope(tree, use, scope.node):
            return f"`{name}` is used by a nested function or lambda", None
        return f"the loop reads `{name}` while it is being built", None
    for update in updates:
        if not isinstance(tree.parent(update), cst.SimpleStatementLine):
            return f"`{short(scope, update, 30)}` is not a statement of its own", None
        if facts.type_of(update.value) != STR:
            return f"`{short(scope, update.value, 30)}` is not known to be a str", None
    if any(
        isinstance(n, cst.Call)
        and isinstance(n.func, cst.Name)
        and n.func.value in ("locals", "vars")
        for n in scope.of(cst.Call)
    ):
        return "the function calls locals()/vars()", None
    return None, (line, loop)


def _str_literal(node: cst.BaseExpression | None) -> bool:
    if isinstance(node, cst.SimpleString):
        return "b" not in node.prefix.lower()
    if isinstance(node, cst.ConcatenatedString):
        return _str_literal(node.left) and _str_literal(node.right)
    return False


def _mentions(node: cst.CSTNode, name: str) -> bool:
    return any(isinstance(n, cst.Name) and n.value == name for n in walk(node))


def _plan_join(
    name: str, init: cst.SimpleStatementLine, loop: cst.BaseStatement, updates: list[cst.AugAssign]
) -> Plan:
    def plan(edit: Edit) -> None:
        key = ("join", name, id(loop))
        if key in edit.memo:
            return
        parts = edit.memo[key] = edit.fresh(f"{name}_parts")

        def start(updated: cst.CSTNode) -> cst.CSTNode:
            assert isinstance(updated, cst.SimpleStatementLine)
            small = updated.body[0]
            assert isinstance(small, cst.Assign)
            literal = small.value
            empty = isinstance(literal, cst.SimpleString) and literal.evaluated_value == ""
            value = cst.List(elements=[] if empty else [cst.Element(value=literal)])
            return updated.with_changes(
                body=[small.with_changes(targets=[cst.AssignTarget(cst.Name(parts))], value=value)]
            )

        def append(updated: cst.CSTNode) -> cst.CSTNode:
            assert isinstance(updated, cst.AugAssign)
            call = cst.Call(
                func=cst.Attribute(value=cst.Name(parts), attr=cst.Name("append")),
                args=[cst.Arg(value=updated.value)],
            )
            return cst.Expr(value=call, semicolon=updated.semicolon)

        edit.replace_node(init, start)
        for update in updates:
            edit.replace_node(update, append)
        edit.insert_after(loop, cst.parse_statement(f'{name} = "".join({parts})\n'))

    return plan


# -- list-concat-in-loop --------------------------------------------------------------------


def _concat_form(scope: Scope, node: cst.CSTNode) -> tuple[str, cst.BaseExpression, bool] | None:
    """``(name, right operand, in_place)`` for ``name = name + right`` (right a list display,
    comprehension or a name known to hold a list) and ``name += [x]``."""
    if (
        isinstance(node, cst.Assign)
        and len(node.targets) == 1
        and isinstance(node.targets[0].target, cst.Name)
        and isinstance(node.value, cst.BinaryOperation)
        and isinstance(node.value.operator, cst.Add)
        and isinstance(node.value.left, cst.Name)
        and node.value.left.value == node.targets[0].target.value
        and not node.value.lpar
    ):
        right = node.value.right
        known = isinstance(right, cst.List | cst.ListComp) or (
            isinstance(right, cst.Name) and scope.facts.container(right.value) == "list"
        )
        if known:
            return node.value.left.value, right, False
    if (
        isinstance(node, cst.AugAssign)
        and isinstance(node.operator, cst.AddAssign)
        and isinstance(node.target, cst.Name)
        and isinstance(node.value, cst.List)
        and len(node.value.elements) == 1
        and isinstance(node.value.elements[0], cst.Element)
    ):
        return node.target.value, node.value, True
    return None


def list_concat_in_loop(scope: Scope) -> list[Site]:
    sites = []
    for node in scope.of(cst.Assign, cst.AugAssign):
        form = _concat_form(scope, node)
        if form is None or not scope.in_loop(node):
            continue
        name, right, in_place = form
        if in_place:
            message = f"`{name} += [x]` builds a one-element list to extend with; `{name}.append(x)` does not"
        else:
            message = f"`{name} = {name} + [...]` copies the whole list on every iteration; `{name} += [...]` extends it in place"
        reason = _list_unsafe(scope, name, node, in_place)
        if reason is None and any(isinstance(n, cst.NamedExpr) for n in walk(right)):
            reason = "the added list holds an assignment expression"
        if reason is None and not isinstance(scope.tree.parent(node), cst.SimpleStatementLine):
            reason = "it is not a statement of its own"
        if reason is not None:
            sites.append(Site(node, f"{message}; not fixed: {reason}", False))
        else:
            sites.append(Site(node, message, True, _plan_list(node, name, right, in_place)))
    return sites


def _list_unsafe(scope: Scope, name: str, node: cst.CSTNode, in_place: bool) -> str | None:
    if not scope.is_function:
        return module_level_message()
    facts = scope.facts
    if name in facts.declared:
        return f"`{name}` is declared global or nonlocal"
    tree = scope.tree
    concat = [
        n
        for n in scope.of(cst.Assign)
        if (f := _concat_form(scope, n)) is not None and f[0] == name
    ]
    concat_nodes = {id(n) for n in concat}
    for binding in facts.bindings.get(name, []):
        if binding.kind == "augassign" or id(binding.node) in concat_nodes:
            continue
        if (
            binding.kind == "param"
            and in_place
            and facts.annotation_kind(binding.annotation) == "list"
        ):
            continue
        if binding.kind == "assign" and facts.value_kind(binding.value) == "list":
            continue
        return f"`{name}` is not always a list built in this function"
    if in_place:
        return None  # `+=` already changes the list in place: no aliasing question
    # Whatever happens after the last loop that grows the list cannot see the difference.
    order = {id(n): i for i, n in enumerate(walk(scope.node))}
    last = 0
    for n in concat:
        loops = tree.loop_ancestors(n, scope.node)
        outermost = loops[-1] if loops else n
        last = max(last, max(order[id(m)] for m in walk(outermost)))
    for use in name_references(tree, scope.node, name):
        if in_nested_scope(tree, use, scope.node):
            return f"`{name}` is used by a nested function or lambda"
        parent = tree.parent(use)
        if not is_load(tree, use) or order[id(use)] > last:
            continue
        holder = tree.parent(parent) if parent is not None else None
        if isinstance(parent, cst.BinaryOperation) and id(holder) in concat_nodes:
            continue
        if isinstance(parent, cst.Attribute | cst.Subscript) and parent.value is use:
            continue
        if isinstance(parent, cst.Return | cst.Comparison | cst.ComparisonTarget):
            continue
        if isinstance(parent, cst.If | cst.While | cst.UnaryOperation | cst.BooleanOperation):
            continue
        if isinstance(parent, cst.Arg) and isinstance(holder, cst.Call):
            func = holder.func
            if (
                isinstance(func, cst.Name)
                and func.value in ("len", "sum", "min", "max", "sorted", "any", "all")
                and facts.builtin(func.value)
            ):
                continue
        if isinstance(parent, cst.For | cst.CompFor) and parent.iter is use:
            loop = parent
            if isinstance(loop, cst.For) and any(id(n) in concat_nodes for n in walk(loop.body)):
                return f"the loop iterates over `{name}` while growing it"
            if isinstance(holder, cst.GeneratorExp):
                return f"a generator reads `{name}` lazily, after it may have grown"
            continue
        return f"`{name}` is used as `{short(scope, parent or use, 30)}`, so another name may hold the old list"
    return None


def _plan_list(node: cst.CSTNode, name: str, right: cst.BaseExpression, in_place: bool) -> Plan:
    single = (
        isinstance(right, cst.List)
        and len(right.elements) == 1
        and isinstance(right.elements[0], cst.Element)
    )

    def build(updated: cst.CSTNode) -> cst.CSTNode:
        if isinstance(updated, cst.AugAssign):
            value = updated.value
        else:
            assert isinstance(updated, cst.Assign) and isinstance(
                updated.value, cst.BinaryOperation
            )
            value = updated.value.right
        semicolon = updated.semicolon
        if single:
            assert isinstance(value, cst.List)
            element = value.elements[0]
            call = cst.Call(
                func=cst.Attribute(value=cst.Name(name), attr=cst.Name("append")),
                args=[cst.Arg(value=element.value)],
            )
            return cst.Expr(value=call, semicolon=semicolon)
        return cst.AugAssign(
            target=cst.Name(name),
            operator=cst.AddAssign(),
            value=value,
            semicolon=semicolon,
        )

    def plan(edit: Edit) -> None:
        edit.replace_node(node, build)

    return plan


STRING_CONCAT = Recipe(
    "string_concat_in_loop",
    string_concat_in_loop,
    "Growing a string with `+=` in a loop can copy it on every iteration; the parts now go into "
    "a list that is joined once after the loop.",
)
LIST_CONCAT = Recipe(
    "list_concat_in_loop",
    list_concat_in_loop,
    "`xs = xs + [...]` copies the whole list on every iteration; extending it in place (or "
    "appending the one element) does not, and no other name holds the old list.",
)
