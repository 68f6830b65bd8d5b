"""Counting with a membership test: ``if k in d: d[k] += 1 else: d[k] = 1``.

The membership test, the read and the write each hash ``k``; ``d[k] = d.get(k, 0) + 1`` does
one lookup fewer and no branch. ``x += n`` and ``x + n`` agree only for values whose in-place
add is their add (ints, floats), so the dictionary's values must be known to be numbers: a
local built empty in this function that only ever receives number literals, or a parameter
annotated ``dict[K, int]`` / ``dict[K, float]``.

Also reported, never rewritten: ``if k in d: return d[k]`` (two lookups where one would do).
"""

from __future__ import annotations

import ast

import libcst as cst

from eco.draft.recipes._common import (
    PURE_BUILTINS,
    contains_comment,
    hashable_constant,
    in_nested_scope,
    module_level_message,
    name_references,
)
from eco.draft.recipes._edit import Edit, Plan, Recipe, Site
from eco.draft.scope import Scope

__all__ = ["COUNTING", "dict_membership_then_index"]

_READ_METHODS = frozenset({"get", "keys", "values", "items", "copy"})


def _single(suite: cst.BaseSuite) -> cst.BaseSmallStatement | None:
    if isinstance(suite, cst.IndentedBlock):
        if len(suite.body) != 1 or not isinstance(suite.body[0], cst.SimpleStatementLine):
            return None
        body = suite.body[0].body
    else:
        assert isinstance(suite, cst.SimpleStatementSuite)
        body = suite.body
    return body[0] if len(body) == 1 else None


def _number(node: cst.BaseExpression) -> int | float | None:
    if isinstance(node, cst.Integer | cst.Float) and not node.lpar:
        value = ast.literal_eval(node.value)
        return value if isinstance(value, int | float) else None
    return None


def _subscript_of(node: cst.BaseExpression, d: str, key: str, scope: Scope) -> bool:
    return (
        isinstance(node, cst.Subscript)
        and isinstance(node.value, cst.Name)
        and node.value.value == d
        and len(node.slice) == 1
        and isinstance(node.slice[0].slice, cst.Index)
        and scope.code(node.slice[0].slice.value).strip() == key
    )


def _membership(test: cst.BaseExpression) -> tuple[cst.BaseExpression, str, bool] | None:
    """``(key, dict name, negated)`` for ``key in d`` / ``key not in d``."""
    if (
        isinstance(test, cst.Comparison)
        and len(test.comparisons) == 1
        and not test.lpar
        and isinstance(test.comparisons[0].operator, cst.In | cst.NotIn)
        and isinstance(test.comparisons[0].comparator, cst.Name)
    ):
        target = test.comparisons[0]
        assert isinstance(target.comparator, cst.Name)
        return test.left, target.comparator.value, isinstance(target.operator, cst.NotIn)
    return None


def dict_membership_then_index(scope: Scope) -> list[Site]:
    sites = []
    for node in scope.of(cst.If):
        if not isinstance(node, cst.If) or not isinstance(
            scope.tree.parent(node), cst.IndentedBlock | cst.Module
        ):
            continue  # an `elif` is not a statement of its own
        found = _membership(node.test)
        if found is None:
            continue
        key_node, d, negated = found
        key = scope.code(key_node).strip()
        counted = _counting_shape(scope, node, d, key, negated)
        if counted is None:
            hit = _single(node.body)
            if (
                not negated
                and isinstance(hit, cst.Return)
                and hit.value is not None
                and _subscript_of(hit.value, d, key, scope)
            ):
                sites.append(
                    Site(
                        node,
                        f"`if {key} in {d}: return {d}[{key}]` looks the key up twice; not "
                        "fixed: `.get()` with a sentinel needs a name eco will not invent",
                        False,
                    )
                )
            continue
        number, initial, following = counted
        message = (
            f"`if {key} in {d}` then `{d}[{key}] +=` hashes the key up to three times; "
            f"`{d}[{key}] = {d}.get({key}, {initial}) + {number}` does it twice"
        )
        reason = None
        if not scope.is_function:
            reason = module_level_message()
        elif not (isinstance(key_node, cst.Name) or hashable_constant(key_node)):
            reason = f"the key `{key}` is not a plain name or constant"
        elif contains_comment(node) or (following is not None and contains_comment(following)):
            reason = "the statement holds comments that the rewrite would drop"
        else:
            reason = _numeric_dict(
                scope, d, {id(node)} | ({id(following)} if following is not None else set())
            )
        if reason is not None:
            sites.append(Site(node, f"{message}; not fixed: {reason}", False))
        else:
            sites.append(Site(node, message, True, _plan(node, following, d, key, initial, number)))
    return sites


def _counting_shape(
    scope: Scope, node: cst.If, d: str, key: str, negated: bool
) -> tuple[str, str, cst.SimpleStatementLine | None] | None:
    """``(N, initial, following statement or None)`` when ``node`` is a counting update."""
    orelse = node.orelse
    if isinstance(orelse, cst.Else):
        hit, miss = _single(node.body), _single(orelse.body)
        if negated:
            hit, miss = miss, hit
        if (
            isinstance(hit, cst.AugAssign)
            and isinstance(hit.operator, cst.AddAssign)
            and isinstance(miss, cst.Assign)
            and len(miss.targets) == 1
            and _subscript_of(hit.target, d, key, scope)
            and _subscript_of(miss.targets[0].target, d, key, scope)
        ):
            step, first = _number(hit.value), _number(miss.value)
            if (
                step is not None
                and first is not None
                and step == first
                and type(step) is type(first)
            ):
                return scope.code(hit.value).strip(), "0", None
        return None
    if orelse is not None or not negated:
        return None
    # `if k not in d: d[k] = 0` followed by `d[k] += n`.
    init = _single(node.body)
    following = _next_statement(scope, node)
    if not (
        isinstance(init, cst.Assign)
        and len(init.targets) == 1
        and _subscript_of(init.targets[0].target, d, key, scope)
        and _number(init.value) is not None
        and isinstance(following, cst.SimpleStatementLine)
        and len(following.body) == 1
    ):
        return None
    update = following.body[0]
    if (
        isinstance(update, cst.AugAssign)
        and isinstance(update.operator, cst.AddAssign)
        and _subscript_of(update.target, d, key, scope)
        and _number(update.value) is not None
    ):
        return scope.code(update.value).strip(), scope.code(init.value).strip(), following
    return None


def _next_statement(scope: Scope, node: cst.BaseStatement) -> cst.BaseStatement | None:
    parent = scope.tree.parent(node)
    if not isinstance(parent, cst.IndentedBlock | cst.Module):
        return None
    body = list(parent.body)
    for index, statement in enumerate(body):
        if statement is node:
            return body[index + 1] if index + 1 < len(body) else None
    return None


def _numeric_dict(scope: Scope, d: str, pattern_nodes: set[int]) -> str | None:
    """Why ``d``'s values might not be plain numbers, or None when they must be."""
    facts = scope.facts
    param = facts.bound_only_as_param(d)
    if param is not None:
        annotation = param.annotation.annotation if param.annotation else None
        if (
            isinstance(annotation, cst.Subscript)
            and isinstance(annotation.value, cst.Name)
            and annotation.value.value in ("dict", "Dict")
            and len(annotation.slice) == 2
            and isinstance(annotation.slice[1].slice, cst.Index)
        ):
            values = facts.annotation_type(annotation.slice[1].slice.value)
            if values is not None and values <= {"int", "float"}:
                if annotation.value.value == "Dict" and not facts.from_typing("Dict"):
                    return "`Dict` is not typing.Dict here"
                if annotation.value.value == "dict" and not facts.builtin("dict"):
                    return "`dict` is rebound in this module"
                return None
        return f"parameter `{d}` is not annotated as dict[..., int] or dict[..., float]"
    bindings = facts.bindings.get(d, [])
    if not bindings or d in facts.declared:
        return f"`{d}` is not a local dictionary of this function"
    for binding in bindings:
        value = binding.value
        empty = (isinstance(value, cst.Dict) and not value.elements) or (
            isinstance(value, cst.Call)
            and isinstance(value.func, cst.Name)
            and value.func.value == "dict"
            and not value.args
            and facts.builtin("dict")
        )
        if binding.kind != "assign" or not empty:
            return f"`{d}` is not always a new empty dict (`{{}}` or `dict()`) in this function"
    tree = scope.tree
    for use in name_references(tree, scope.node, d):
        if in_nested_scope(tree, use, scope.node):
            return f"`{d}` is used by a nested function or lambda"
        if any(id(a) in pattern_nodes for a in tree.ancestors(use)):
            continue
        if not _value_safe_use(scope, use):
            parent = tree.parent(use)
            shown = " ".join(scope.code(parent).split())[:40] if parent is not None else d
            return f"`{d}` is used as `{shown}`, so its values may not all be numbers"
    return None


def _value_safe_use(scope: Scope, use: cst.Name) -> bool:
    """True when this use of the dict cannot put a non-number value in it."""
    tree = scope.tree
    parent = tree.parent(use)
    if isinstance(parent, cst.AssignTarget):  # d = {}
        return True
    if isinstance(parent, cst.Subscript) and parent.value is use:
        holder = tree.parent(parent)
        if isinstance(holder, cst.AssignTarget):
            assign = tree.parent(holder)
            return isinstance(assign, cst.Assign) and _number(assign.value) is not None
        if isinstance(holder, cst.AugAssign) and holder.target is parent:
            return _number(holder.value) is not None
        return not isinstance(holder, cst.Del | cst.AnnAssign)
    if isinstance(parent, cst.ComparisonTarget | cst.Comparison | cst.Return):
        return True
    if isinstance(parent, cst.For | cst.CompFor) and parent.iter is use:
        return True
    if isinstance(parent, cst.Attribute) and parent.value is use:
        return parent.attr.value in _READ_METHODS
    if isinstance(parent, cst.Arg) and parent.keyword is None and not parent.star:
        call = tree.parent(parent)
        return (
            isinstance(call, cst.Call)
            and isinstance(call.func, cst.Name)
            and call.func.value in PURE_BUILTINS
            and scope.facts.builtin(call.func.value)
        )
    return isinstance(
        parent, cst.If | cst.While | cst.UnaryOperation | cst.BooleanOperation | cst.BinaryOperation
    )


def _plan(
    node: cst.If, following: cst.BaseStatement | None, d: str, key: str, initial: str, number: str
) -> Plan:
    def plan(edit: Edit) -> None:
        def rewrite(updated: cst.CSTNode) -> cst.CSTNode:
            assert isinstance(updated, cst.If)
            statement = cst.parse_statement(f"{d}[{key}] = {d}.get({key}, {initial}) + {number}\n")
            return statement.with_changes(leading_lines=updated.leading_lines)

        edit.replace_node(node, rewrite)
        if following is not None:
            edit.replace_node(following, lambda _updated: cst.RemovalSentinel.REMOVE)

    return plan


COUNTING = Recipe(
    "dict_membership_then_index",
    dict_membership_then_index,
    "Counting with `if k in d: d[k] += n else: d[k] = n` hashes the key up to three times and "
    "branches; `d[k] = d.get(k, 0) + n` hashes it twice and never branches.",
)
