"""``x == "a" or x == "b" or x == "c"``: one comparison per alternative.

A set literal of the same constants is folded by the compiler into one frozenset and answers
with a single hash lookup: ``x in {"a", "b", "c"}``. Both give a bool, and the same one, when
``x`` is a hashable scalar (str, int, float, bytes, bool, None) and every alternative is a
hashable constant; ``x != a and x != b`` becomes ``x not in {a, b}`` the same way.
"""

from __future__ import annotations

import libcst as cst

from eco.draft.facts import is_hashable
from eco.draft.recipes._common import contains_comment, hashable_constant, module_level_message
from eco.draft.recipes._edit import Edit, Plan, Recipe, Site
from eco.draft.scope import Scope

__all__ = ["REPEATED_EQUALITY", "repeated_equality_comparison"]

_WORTH_IT = 3


def _operands(
    node: cst.BooleanOperation, operator: type[cst.BaseBooleanOp]
) -> list[cst.BaseExpression]:
    found: list[cst.BaseExpression] = []
    for side in (node.left, node.right):
        if isinstance(side, cst.BooleanOperation) and isinstance(side.operator, operator):
            found.extend(_operands(side, operator))
        else:
            found.append(side)
    return found


def _equality(
    node: cst.BaseExpression, comparison: type[cst.BaseCompOp]
) -> tuple[cst.Name, cst.BaseExpression] | None:
    """``(name, constant)`` for ``name == constant`` or ``constant == name`` (``!=`` likewise)."""
    if not (
        isinstance(node, cst.Comparison)
        and len(node.comparisons) == 1
        and isinstance(node.comparisons[0].operator, comparison)
    ):
        return None
    left, right = node.left, node.comparisons[0].comparator
    if isinstance(left, cst.Name) and hashable_constant(right):
        return left, right
    if isinstance(right, cst.Name) and hashable_constant(left):
        return right, left
    return None


def _chain(
    node: cst.BooleanOperation, operator: type[cst.BaseBooleanOp], comparison: type[cst.BaseCompOp]
) -> tuple[str, list[cst.BaseExpression]] | None:
    """``(name, constants)`` when every operand of the chain compares one name to a constant."""
    pairs = [_equality(o, comparison) for o in _operands(node, operator)]
    if len(pairs) < 2 or any(p is None for p in pairs):
        return None
    names = {p[0].value for p in pairs if p is not None}
    if len(names) != 1:
        return None
    return names.pop(), [p[1] for p in pairs if p is not None]


def repeated_equality_comparison(scope: Scope) -> list[Site]:
    sites = []
    tree = scope.tree
    for node in scope.of(cst.BooleanOperation):
        assert isinstance(node, cst.BooleanOperation)
        operator: type[cst.BaseBooleanOp]
        comparison: type[cst.BaseCompOp]
        if isinstance(node.operator, cst.Or):
            operator, comparison, test = cst.Or, cst.Equal, "in"
        elif isinstance(node.operator, cst.And):
            operator, comparison, test = cst.And, cst.NotEqual, "not in"
        else:
            continue
        parent = tree.parent(node)
        if (
            isinstance(parent, cst.BooleanOperation)
            and isinstance(parent.operator, operator)
            and _chain(parent, operator, comparison) is not None
        ):
            continue  # the enclosing chain reports it
        found = _chain(node, operator, comparison)
        if found is None:
            continue
        name, constants = found
        symbol = "==" if test == "in" else "!="
        message = (
            f"`{name} {symbol} ...` compared against {len(constants)} constants one by one; "
            f"`{name} {test} {{...}}` is one hash lookup"
        )
        reason = None
        if not scope.is_function:
            reason = module_level_message()
        elif not is_hashable(scope.facts.name_type(name, node)):
            reason = f"`{name}` is not known to be a hashable scalar (a set lookup could raise TypeError)"
        elif len(constants) < _WORTH_IT and not scope.in_loop(node):
            reason = f"outside a loop fewer than {_WORTH_IT} comparisons do not pay for the lookup"
        elif contains_comment(node):
            reason = "the expression holds a comment that the rewrite would drop"
        if reason is not None:
            sites.append(Site(node, f"{message}; not fixed: {reason}", False))
        else:
            sites.append(Site(node, message, True, _plan(scope, node, name, constants, test)))
    return sites


def _plan(
    scope: Scope,
    node: cst.BooleanOperation,
    name: str,
    constants: list[cst.BaseExpression],
    test: str,
) -> Plan:
    text = ", ".join(" ".join(scope.code(c).split()) for c in constants)
    replacement = cst.parse_expression(f"{name} {test} {{{text}}}")

    def build(updated: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(updated, cst.BooleanOperation)
        return replacement.with_changes(lpar=updated.lpar, rpar=updated.rpar)

    def plan(edit: Edit) -> None:
        edit.replace_node(node, build)

    return plan


REPEATED_EQUALITY = Recipe(
    "repeated_equality_comparison",
    repeated_equality_comparison,
    "Comparing one value against several constants with `==`/`or` costs one comparison per "
    "constant; a set literal of the constants answers with one hash lookup.",
)
