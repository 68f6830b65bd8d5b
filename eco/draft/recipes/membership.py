"""Membership tests that scan a sequence: ``x in [..literal..]`` and ``x in list_param`` in loops.

Both rewrites trade a linear scan for a hash lookup, which is only the same answer when the
value looked up is hashable (``[1] in ["a"]`` is False, ``[1] in {"a"}`` raises). So both
require the left operand's type to be a known hashable scalar.
"""

from __future__ import annotations

import libcst as cst

from eco.draft.facts import is_hashable
from eco.draft.recipes._common import (
    PURE_BUILTINS,
    hashable_constant,
    in_nested_scope,
    is_load,
    module_level_message,
    name_references,
    short,
    store_targets,
)
from eco.draft.recipes._edit import Edit, Plan, Recipe, Site
from eco.draft.scope import Scope

__all__ = ["LIST_LITERAL", "LIST_PARAM", "membership_in_list_literal", "membership_in_list_param"]

_WORTH_IT = 4
_SEQUENCE_ANNOTATIONS = frozenset({"list", "List", "Sequence", "tuple", "Tuple"})
_PARAM_ELEMENTS = frozenset({"str", "int", "bytes", "bool"})
_MUTATORS = frozenset(
    {
        "append",
        "extend",
        "insert",
        "remove",
        "pop",
        "clear",
        "sort",
        "reverse",
        "__setitem__",
        "__delitem__",
        "__iadd__",
        "__imul__",
    }
)
_READ_ONLY_METHODS = frozenset({"count", "index", "copy"})


def _membership_targets(
    scope: Scope,
) -> list[tuple[cst.Comparison, cst.BaseExpression, cst.ComparisonTarget]]:
    found = []
    for node in scope.of(cst.Comparison):
        if isinstance(node, cst.Comparison):
            left = node.left
            for target in node.comparisons:
                if isinstance(target.operator, cst.In | cst.NotIn):
                    found.append((node, left, target))
                left = target.comparator
    return found


def _chained_on(comparison: cst.Comparison, target: cst.ComparisonTarget) -> bool:
    """True when the container is also the left operand of a later comparison (`x in [1] == y`)."""
    return target is not comparison.comparisons[-1]


def _operator(target: cst.ComparisonTarget) -> str:
    return "not in" if isinstance(target.operator, cst.NotIn) else "in"


def _left_is_hashable(scope: Scope, left: cst.BaseExpression) -> bool:
    return hashable_constant(left) or is_hashable(scope.facts.type_of(left))


# -- membership-in-list-literal ------------------------------------------------------------


def membership_in_list_literal(scope: Scope) -> list[Site]:
    sites = []
    for comparison, left, target in _membership_targets(scope):
        container = target.comparator
        if not isinstance(container, cst.List | cst.Tuple) or not container.elements:
            continue
        kind = "list" if isinstance(container, cst.List) else "tuple"
        shown = "[...]" if kind == "list" else "(...)"
        message = (
            f"`{short(scope, left, 20)} {_operator(target)} {shown}` scans a {kind} literal "
            f"of {len(container.elements)} element(s); a set literal is one hash lookup"
        )
        reason = None
        if any(
            not isinstance(e, cst.Element) or not hashable_constant(e.value)
            for e in container.elements
        ):
            # A set of variables is built and hashed on every evaluation: no better.
            continue
        if not scope.is_function:
            reason = module_level_message()
        elif _chained_on(comparison, target):
            reason = "the literal is compared again further along a chained comparison"
        elif not _left_is_hashable(scope, left):
            reason = f"`{short(scope, left, 20)}` is not known to be hashable (a set lookup could raise TypeError)"
        elif len(container.elements) < _WORTH_IT and not scope.in_loop(comparison):
            reason = (
                f"outside a loop a set literal of fewer than {_WORTH_IT} elements does not pay off"
            )
        if reason is not None:
            sites.append(Site(comparison, f"{message}; not fixed: {reason}", False))
        else:
            sites.append(Site(comparison, message, True, _plan_set_literal(container)))
    return sites


def _plan_set_literal(container: cst.List | cst.Tuple) -> Plan:
    def plan(edit: Edit) -> None:
        edit.replace_node(container, _to_set)

    return plan


def _to_set(updated: cst.CSTNode) -> cst.CSTNode:
    if isinstance(updated, cst.List):
        return cst.Set(
            elements=updated.elements,
            lbrace=cst.LeftCurlyBrace(whitespace_after=updated.lbracket.whitespace_after),
            rbrace=cst.RightCurlyBrace(whitespace_before=updated.rbracket.whitespace_before),
            lpar=updated.lpar,
            rpar=updated.rpar,
        )
    if isinstance(updated, cst.Tuple) and updated.lpar:
        # lpar is outermost first, rpar innermost first: the tuple's own parentheses become
        # the braces, any extra ones stay.
        return cst.Set(
            elements=updated.elements,
            lbrace=cst.LeftCurlyBrace(whitespace_after=updated.lpar[-1].whitespace_after),
            rbrace=cst.RightCurlyBrace(whitespace_before=updated.rpar[0].whitespace_before),
            lpar=updated.lpar[:-1],
            rpar=updated.rpar[1:],
        )
    return updated


# -- membership-in-list-param --------------------------------------------------------------


def membership_in_list_param(scope: Scope) -> list[Site]:
    sites: list[Site] = []
    if not scope.is_function:
        return sites
    for comparison, left, target in _membership_targets(scope):
        container = target.comparator
        if not isinstance(container, cst.Name) or not scope.in_loop(comparison):
            continue
        facts = scope.facts
        name = container.value
        param = facts.bound_only_as_param(name)
        annotation = param.annotation.annotation if param is not None and param.annotation else None
        if annotation is None:
            if _local_list(scope, name):
                sites.append(
                    Site(
                        comparison,
                        f"`{name}` is a list scanned on every iteration; "
                        "not fixed: it is a local list (build a set next to it)",
                        False,
                    )
                )
            continue
        if not (
            isinstance(annotation, cst.Subscript)
            and isinstance(annotation.value, cst.Name)
            and annotation.value.value in _SEQUENCE_ANNOTATIONS
        ):
            continue
        message = (
            f"`{short(scope, left, 20)} {_operator(target)} {name}` scans the sequence `{name}` "
            "on every iteration; a set built once before the loop is one hash lookup"
        )
        element = facts.annotation_type(annotation)
        reason = None
        if element is None or not {t.removeprefix("iter:") for t in element} <= _PARAM_ELEMENTS:
            reason = f"the elements of `{name}` are not annotated as str, int, bytes or bool"
        elif _chained_on(comparison, target):
            reason = f"`{name}` is compared again further along a chained comparison"
        elif not _left_is_hashable(scope, left):
            reason = f"`{short(scope, left, 20)}` is not known to be hashable (a set lookup could raise TypeError)"
        elif not facts.builtin("set"):
            reason = "`set` is rebound in this module"
        else:
            reason = _escapes(scope, name)
        loops = scope.tree.loop_ancestors(comparison, scope.node)
        statement = scope.tree.statement_of(loops[-1])
        if reason is None and statement is None:
            reason = "no statement to build the set before"
        if reason is not None or statement is None:
            sites.append(Site(comparison, f"{message}; not fixed: {reason}", False))
        else:
            sites.append(Site(comparison, message, True, _plan_set_param(statement, container)))
    return sites


def _local_list(scope: Scope, name: str) -> bool:
    bindings = scope.facts.bindings.get(name, [])
    return bool(bindings) and all(
        b.kind == "assign"
        and (
            isinstance(b.value, cst.List | cst.ListComp)
            or (
                isinstance(b.value, cst.Call)
                and isinstance(b.value.func, cst.Name)
                and b.value.func.value == "list"
            )
        )
        for b in bindings
    )


def _escapes(scope: Scope, name: str) -> str | None:
    """Why ``name``'s list might change while the function runs, or None when it cannot
    (as far as this function shows)."""
    tree = scope.tree
    fn = scope.node
    for use in name_references(tree, fn, name):
        if in_nested_scope(tree, use, fn):
            return f"`{name}` is used by a nested function or lambda"
        if not is_load(tree, use):
            return f"`{name}` is assigned in the function"
        parent = tree.parent(use)
        if isinstance(parent, cst.ComparisonTarget | cst.Comparison | cst.Return):
            continue
        if isinstance(parent, cst.For | cst.CompFor) and parent.iter is use:
            continue
        if isinstance(parent, cst.If | cst.While | cst.IfExp) and parent.test is use:
            continue
        if isinstance(parent, cst.UnaryOperation | cst.BooleanOperation):
            continue
        if (
            isinstance(parent, cst.Subscript)
            and parent.value is use
            and _subscript_read(scope, parent)
        ):
            continue
        if isinstance(parent, cst.Attribute) and parent.attr.value in _READ_ONLY_METHODS:
            continue
        if isinstance(parent, cst.Arg) and not parent.star and parent.keyword is None:
            call = tree.parent(parent)
            if (
                isinstance(call, cst.Call)
                and isinstance(call.func, cst.Name)
                and call.func.value in PURE_BUILTINS
                and scope.facts.builtin(call.func.value)
            ):
                continue
        return f"`{name}` is passed on or used as `{short(scope, parent or use, 30)}`, which might change it"
    for node in scope.nodes():
        if (
            isinstance(node, cst.Call)
            and isinstance(node.func, cst.Attribute)
            and node.func.attr.value in _MUTATORS
            and not _fresh_local(scope, node.func.value)
        ):
            return f"`{short(scope, node.func, 30)}` mutates a list that could be `{name}` itself"
        targets = store_targets(node)
        for target in targets:
            if isinstance(target, cst.Subscript) and not _fresh_local(scope, target.value):
                return (
                    f"`{short(scope, target, 30)}` writes into a list that could be `{name}` itself"
                )
            if isinstance(node, cst.AugAssign) and not isinstance(target, cst.Subscript):
                # `xs += [...]` extends xs in place, and xs could be the very same list.
                harmless = isinstance(target, cst.Name) and (
                    _fresh_local(scope, target) or _scalar_local(scope, target.value)
                )
                if not harmless:
                    return f"`{short(scope, node, 30)}` may extend a list that could be `{name}` itself"
    return None


def _subscript_read(scope: Scope, subscript: cst.Subscript) -> bool:
    parent = scope.tree.parent(subscript)
    if isinstance(parent, cst.AssignTarget | cst.Del):
        return False
    return not (isinstance(parent, cst.AugAssign | cst.AnnAssign) and parent.target is subscript)


def _fresh_local(scope: Scope, node: cst.BaseExpression) -> bool:
    """A local built in this function from a literal, a comprehension or a copying call."""
    if not isinstance(node, cst.Name):
        return False
    bindings = scope.facts.bindings.get(node.value, [])
    if not bindings or node.value in scope.facts.declared:
        return False
    for binding in bindings:
        value = binding.value
        if binding.kind != "assign" or value is None:
            return False
        if isinstance(
            value, cst.List | cst.Dict | cst.Set | cst.ListComp | cst.DictComp | cst.SetComp
        ):
            continue
        if (
            isinstance(value, cst.Call)
            and isinstance(value.func, cst.Name)
            and value.func.value in ("list", "dict", "set", "sorted")
            and scope.facts.builtin(value.func.value)
        ):
            continue
        return False
    return True


def _scalar_local(scope: Scope, name: str) -> bool:
    return is_hashable(scope.facts.name_type(name))


def _plan_set_param(statement: cst.BaseStatement, container: cst.Name) -> Plan:
    name = container.value

    def plan(edit: Edit) -> None:
        key = ("set", name)
        if key not in edit.memo:
            edit.memo[key] = edit.fresh(f"{name}_set")
        set_name = edit.memo[key]
        if (key, id(statement)) not in edit.memo:
            edit.memo[(key, id(statement))] = set_name
            edit.insert_before(statement, cst.parse_statement(f"{set_name} = set({name})\n"))

        def rename(updated: cst.CSTNode) -> cst.CSTNode:
            assert isinstance(updated, cst.Name)
            return updated.with_changes(value=set_name)

        edit.replace_node(container, rename)

    return plan


LIST_LITERAL = Recipe(
    "membership_in_list_literal",
    membership_in_list_literal,
    "Membership tests against a list or tuple literal compare element by element; a set literal "
    "of the same constants is built once by the compiler and answers with one hash lookup.",
)
LIST_PARAM = Recipe(
    "membership_in_list_param",
    membership_in_list_param,
    "`x in seq` inside a loop scans the whole sequence every iteration; building a set from it "
    "once before the loop turns each test into one hash lookup.",
)
