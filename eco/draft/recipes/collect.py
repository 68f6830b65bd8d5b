"""Loops that only collect: copies, dicts and sets filled one element at a time.

* ``out = []`` then ``for x in y: out.append(x)`` is ``out = list(y)``; a loop that appends to
  a list the function built earlier is ``out.extend(y)`` (ruff PERF402).
* ``d = {}`` then ``for ...: [if ...:] d[k] = v`` is a dict comprehension (PERF403).
* ``s = set()`` then ``for ...: [if ...:] s.add(e)`` is a set comprehension, and a loop that
  only adds its target to a set built earlier is ``s.update(y)`` (refurb FURB142).

The comprehension forms have the preconditions of append-loop-to-comprehension (the loop
variables do not leak, nothing reads the container while it is filled, no try/with around
it). The ``extend``/``update`` forms need the container to be a list or set this function
built and never handed to anyone, so that the iterable cannot be the container itself.
"""

from __future__ import annotations

from functools import partial

import libcst as cst

from eco.draft.recipes._common import (
    clause_safe,
    contains_comment,
    hashable_constant,
    in_nested_scope,
    is_load,
    module_level_message,
    name_references,
    short,
)
from eco.draft.recipes._edit import Edit, Plan, Recipe, Site
from eco.draft.recipes._effects import fresh_local
from eco.draft.recipes.comprehension import (
    assign_then_loop,
    comprehension_plan,
    comprehension_unsafe,
    is_plain_copy,
    loop_shape,
    method_call_arg,
    read_outside,
    single_statement,
)
from eco.draft.scope import Scope, target_names, walk

__all__ = ["DICT_COMPREHENSION", "LIST_COPY", "SET_ADD"]


def _builder_unbound(scope: Scope, name: str) -> str | None:
    return None if scope.facts.builtin(name) else f"`{name}` is not the builtin here"


# -- fresh container, comprehension forms ---------------------------------------------------


def _fresh_sites(
    scope: Scope, kind: str, method: str, comprehension_message: str, copy_message: str | None
) -> tuple[list[Site], set[int]]:
    """Sites for ``out = <empty>`` + loop; also the ids of the loops they cover."""
    sites: list[Site] = []
    covered: set[int] = set()
    for first, loop, out in assign_then_loop(scope, kind):
        shape = loop_shape(loop, partial(method_call_arg, out=out, method=method))
        if shape is None:
            continue
        fors, conditions, element = shape
        plain = is_plain_copy(shape)
        if kind == "list" and not plain:
            continue  # append-loop-to-comprehension's
        covered.add(id(loop))
        message = (copy_message if plain and copy_message else comprehension_message).format(
            out=out, iter=short(scope, fors[0].iter, 20)
        )
        reason = (
            module_level_message()
            if not scope.is_function
            else comprehension_unsafe(scope, loop, out, fors, [element, *conditions])
        )
        if reason is None and plain:
            reason = _builder_unbound(scope, kind)
        if reason is not None:
            sites.append(Site(loop, f"{message}; not fixed: {reason}", False))
            continue
        if plain:

            def build(parts: list[cst.BaseExpression], comp_for: cst.CompFor) -> cst.BaseExpression:
                return cst.Call(func=cst.Name(kind), args=[cst.Arg(value=comp_for.iter)])

        else:

            def build(parts: list[cst.BaseExpression], comp_for: cst.CompFor) -> cst.BaseExpression:
                return cst.SetComp(elt=parts[0], for_in=comp_for)

        plan = comprehension_plan(scope, first, loop, fors, conditions, [element], build)
        sites.append(Site(loop, message, True, plan))
    return sites, covered


# -- existing container, extend/update forms -------------------------------------------------


def _existing_sites(
    scope: Scope, kind: str, method: str, bulk: str, covered: set[int]
) -> list[Site]:
    sites = []
    for loop in scope.of(cst.For):
        assert isinstance(loop, cst.For)
        if id(loop) in covered or loop.orelse is not None or loop.asynchronous is not None:
            continue
        if not isinstance(loop.target, cst.Name):
            continue
        statement = single_statement(loop.body)
        if statement is None:
            continue
        call = statement.body[0] if isinstance(statement, cst.SimpleStatementLine) else None
        out = None
        if (
            isinstance(call, cst.Expr)
            and isinstance(call.value, cst.Call)
            and isinstance(call.value.func, cst.Attribute)
            and isinstance(call.value.func.value, cst.Name)
        ):
            out = call.value.func.value.value
        if out is None:
            continue
        element = method_call_arg(statement, out, method)
        if not (isinstance(element, cst.Name) and element.value == loop.target.value):
            continue
        shown_iter = short(scope, loop.iter, 20)
        message = (
            f"`for {element.value} in {shown_iter}: {out}.{method}({element.value})` adds one "
            f"element per call; `{out}.{bulk}({shown_iter})` adds them all in C"
        )
        reason = _existing_unsafe(scope, loop, out, kind)
        if reason is not None:
            sites.append(Site(loop, f"{message}; not fixed: {reason}", False))
        else:
            sites.append(Site(loop, message, True, _plan_bulk(loop, out, bulk)))
    return sites


def _existing_unsafe(scope: Scope, loop: cst.For, out: str, kind: str) -> str | None:
    if not scope.is_function:
        return module_level_message()
    if contains_comment(loop, skip_leading=True):
        return "the loop holds comments that the rewrite would drop"
    if scope.facts.container(out) != kind or not fresh_local(scope, cst.Name(out)):
        return f"`{out}` is not a {kind} this function builds itself"
    if any(isinstance(n, cst.Name) and n.value == out for n in walk(loop.iter)):
        return f"the loop iterates over something built from `{out}` itself"
    # A parameter was bound before `out` existed, so it cannot be `out`; anything else could
    # be, unless `out` was never handed to anyone.
    iterable = loop.iter
    if not (isinstance(iterable, cst.Name) and scope.facts.bound_only_as_param(iterable.value)):
        reason = _handed_out(scope, out, kind)
        if reason is not None:
            return reason
    assert isinstance(loop.target, cst.Name)
    return read_outside(scope, loop, loop.target.value)


def _handed_out(scope: Scope, out: str, kind: str) -> str | None:
    """Why another reference to ``out``'s container might exist (so that the loop's iterable
    could be that container), or None."""
    tree = scope.tree
    for use in name_references(tree, scope.node, out):
        if in_nested_scope(tree, use, scope.node):
            return f"`{out}` is used by a nested function or lambda"
        if not is_load(tree, use):
            continue
        parent = tree.parent(use)
        if isinstance(parent, cst.Attribute | cst.Subscript) and parent.value is use:
            continue
        if isinstance(parent, cst.Return | cst.Comparison | cst.ComparisonTarget):
            continue
        if isinstance(parent, cst.If | cst.While | cst.UnaryOperation | cst.BooleanOperation):
            continue
        if isinstance(parent, cst.For | cst.CompFor) and parent.iter is use:
            if isinstance(tree.parent(parent), cst.GeneratorExp):
                return f"a generator reads `{out}` lazily"
            continue
        if isinstance(parent, cst.Arg) and not parent.star and parent.keyword is None:
            call = tree.parent(parent)
            if (
                isinstance(call, cst.Call)
                and isinstance(call.func, cst.Name)
                and call.func.value in ("len", "sorted", "sum", "min", "max", "any", "all")
                and scope.facts.builtin(call.func.value)
            ):
                continue
        shown = short(scope, parent or use, 30)
        return f"`{out}` is used as `{shown}`, so something else may hold the same {kind}"
    return None


def _plan_bulk(loop: cst.For, out: str, bulk: str) -> Plan:
    def build(updated: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(updated, cst.For)
        call = cst.Call(
            func=cst.Attribute(value=cst.Name(out), attr=cst.Name(bulk)),
            args=[cst.Arg(value=updated.iter)],
        )
        return cst.SimpleStatementLine(
            body=[cst.Expr(value=call)], leading_lines=updated.leading_lines
        )

    def plan(edit: Edit) -> None:
        edit.replace_node(loop, build)

    return plan


# -- the analyzers ----------------------------------------------------------------------------


def manual_list_copy(scope: Scope) -> list[Site]:
    sites, covered = _fresh_sites(
        scope,
        "list",
        "append",
        "",
        "`{out}.append(x)` for every `x` in `{iter}` copies it one call at a time; `list({iter})` copies in C",
    )
    return sites + _existing_sites(scope, "list", "append", "extend", covered)


def set_add_loop(scope: Scope) -> list[Site]:
    sites, covered = _fresh_sites(
        scope,
        "set",
        "add",
        "`{out}.add(...)` in a loop fills a set one call at a time; a set comprehension is faster",
        "`{out}.add(x)` for every `x` in `{iter}` fills a set one call at a time; `set({iter})` does it in C",
    )
    return sites + _existing_sites(scope, "set", "add", "update", covered)


def _store_leaf(
    statement: cst.BaseStatement, out: str
) -> tuple[cst.BaseExpression, cst.BaseExpression] | None:
    """``(key, value)`` when ``statement`` is exactly ``out[key] = value``."""
    if not (isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1):
        return None
    small = statement.body[0]
    if not (isinstance(small, cst.Assign) and len(small.targets) == 1):
        return None
    target = small.targets[0].target
    if (
        isinstance(target, cst.Subscript)
        and isinstance(target.value, cst.Name)
        and target.value.value == out
        and len(target.slice) == 1
        and isinstance(target.slice[0].slice, cst.Index)
    ):
        return target.slice[0].slice.value, small.value
    return None


def manual_dict_comprehension(scope: Scope) -> list[Site]:
    sites = []
    for first, loop, out in assign_then_loop(scope, "dict"):
        shape = loop_shape(loop, partial(_store_leaf, out=out))
        if shape is None:
            continue
        fors, conditions, (key, value) = shape
        message = f"`{out}[...] = ...` in a loop fills a dict one store at a time; a dict comprehension is faster"
        reason = (
            module_level_message()
            if not scope.is_function
            else comprehension_unsafe(scope, loop, out, fors, [key, value, *conditions])
        )
        if reason is None:
            targets = {n.value for f in fors for n in target_names(f.target)}
            if not (_inert(key, targets) or _inert(value, targets)):
                reason = (
                    "a comprehension evaluates the key before the value and the loop the value "
                    "before the key; both could raise or have effects"
                )
        if reason is not None:
            sites.append(Site(loop, f"{message}; not fixed: {reason}", False))
            continue

        def build(parts: list[cst.BaseExpression], comp_for: cst.CompFor) -> cst.BaseExpression:
            return cst.DictComp(key=clause_safe(parts[0]), value=clause_safe(parts[1]), for_in=comp_for)

        plan = comprehension_plan(scope, first, loop, fors, conditions, [key, value], build)
        sites.append(Site(loop, message, True, plan))
    return sites


def _inert(node: cst.BaseExpression, targets: set[str]) -> bool:
    """Evaluating ``node`` can neither raise nor do anything: a loop variable or a constant."""
    return (isinstance(node, cst.Name) and node.value in targets) or hashable_constant(node)


LIST_COPY = Recipe(
    "manual_list_copy",
    manual_list_copy,
    "A loop that appends every element unchanged is a copy; `list(y)` / `out.extend(y)` do it "
    "in C without a method call per element.",
)
DICT_COMPREHENSION = Recipe(
    "manual_dict_comprehension",
    manual_dict_comprehension,
    "Filling a new dict with `d[k] = v` in a loop pays a store per element in bytecode; a dict "
    "comprehension builds the same dict faster.",
)
SET_ADD = Recipe(
    "set_add_in_loop",
    set_add_loop,
    "Adding elements to a set one `.add()` call at a time pays a method call per element; a set "
    "comprehension or `s.update(y)` adds them without it.",
)
