"""Dictionary views used where the dictionary itself would do.

* ``for k, _ in d.items()`` builds a tuple per item and throws half of it away; ``for k in d``
  (or ``for v in d.values()``) reads only what is used. The discarded name must never be read
  in the function (the loop no longer binds it).
* ``k in d.keys()`` builds a keys view to ask it what ``k in d`` answers directly.

Both need ``d`` to be a dictionary (a mapping): a parameter annotated ``dict[...]``,
``Mapping[...]`` and the like and never rebound, or a local only ever bound to a dict display,
comprehension or ``dict(...)``. Anything else might define ``items`` or ``keys`` its own way.
"""

from __future__ import annotations

import libcst as cst

from eco.draft.recipes._common import is_load, module_level_message, name_references, short
from eco.draft.recipes._edit import Edit, Plan, Recipe, Site
from eco.draft.scope import COMPREHENSIONS, Scope, walk

__all__ = ["DICT_ITEMS", "DICT_KEYS_IN", "dict_items_unused_part", "dict_keys_membership"]

_DYNAMIC = frozenset({"locals", "vars", "eval", "exec"})


def _mapping(scope: Scope, owner: cst.BaseExpression) -> str | None:
    """Why ``owner`` is not known to be a dict or mapping, or None when it is."""
    if not isinstance(owner, cst.Name):
        return f"`{short(scope, owner, 20)}` is not a plain name"
    if scope.facts.container(owner.value) not in ("dict", "mapping"):
        return f"`{owner.value}` is not known to be a dict (annotation or a dict built here)"
    return None


def _view_call(node: cst.BaseExpression, method: str) -> cst.Call | None:
    if (
        isinstance(node, cst.Call)
        and not node.args
        and isinstance(node.func, cst.Attribute)
        and node.func.attr.value == method
    ):
        return node
    return None


# -- dict-items-unused-part ------------------------------------------------------------------


def _pair(target: cst.BaseExpression) -> tuple[cst.Name, cst.Name] | None:
    if (
        isinstance(target, cst.Tuple)
        and len(target.elements) == 2
        and all(
            isinstance(e, cst.Element) and isinstance(e.value, cst.Name) for e in target.elements
        )
    ):
        first, second = (e.value for e in target.elements)
        assert isinstance(first, cst.Name) and isinstance(second, cst.Name)
        if first.value != second.value:
            return first, second
    return None


def _read_in(scope: Scope, root: cst.CSTNode, name: cst.Name) -> bool:
    """True when ``name``'s identifier is read (or deleted) anywhere under ``root``."""
    tree = scope.tree
    for use in name_references(tree, root, name.value):
        if use is name:
            continue
        if is_load(tree, use) or isinstance(tree.parent(use), cst.Del):
            return True
    return False


def _comprehension_of(scope: Scope, comp_for: cst.CompFor) -> cst.CSTNode:
    for ancestor in scope.tree.ancestors(comp_for):
        if isinstance(ancestor, COMPREHENSIONS):
            return ancestor
    return comp_for


def _dynamic(scope: Scope) -> bool:
    return any(
        isinstance(n, cst.Call) and isinstance(n.func, cst.Name) and n.func.value in _DYNAMIC
        for n in scope.of(cst.Call)
    )


def dict_items_unused_part(scope: Scope) -> list[Site]:
    sites = []
    for loop in scope.of(cst.For, cst.CompFor):
        assert isinstance(loop, cst.For | cst.CompFor)
        call = _view_call(loop.iter, "items")
        pair = _pair(loop.target)
        if call is None or pair is None or loop.asynchronous is not None:
            continue
        # Where the names could be read: the function for a loop statement, the comprehension
        # for a comprehension clause (its targets are its own).
        region = scope.node if isinstance(loop, cst.For) else _comprehension_of(scope, loop)
        key, value = pair
        key_used, value_used = _read_in(scope, region, key), _read_in(scope, region, value)
        if key_used == value_used:
            continue
        assert isinstance(call.func, cst.Attribute)
        owner = call.func.value
        shown = short(scope, owner, 20)
        if key_used:
            better, keep = f"`for {key.value} in {shown}`", key
        else:
            better, keep = f"`for {value.value} in {shown}.values()`", value
        message = (
            f"`{shown}.items()` builds a pair per item and `{(value if key_used else key).value}` "
            f"is never used; {better} reads only what is needed"
        )
        reason = module_level_message() if not scope.is_function else _mapping(scope, owner)
        if reason is None and isinstance(loop, cst.For) and _dynamic(scope):
            reason = (
                "the function calls locals()/vars()/eval()/exec(), which could see the unused name"
            )
        if reason is not None:
            sites.append(Site(loop, f"{message}; not fixed: {reason}", False))
        else:
            sites.append(Site(loop, message, True, _plan_items(loop, call, keep, key_used)))
    return sites


def _plan_items(loop: cst.For | cst.CompFor, call: cst.Call, keep: cst.Name, key: bool) -> Plan:
    def retarget(updated: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(updated, cst.For | cst.CompFor)
        return updated.with_changes(target=keep)

    def reiterate(updated: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(updated, cst.Call) and isinstance(updated.func, cst.Attribute)
        if key:
            return updated.func.value
        return updated.with_changes(func=updated.func.with_changes(attr=cst.Name("values")))

    def plan(edit: Edit) -> None:
        edit.replace_node(loop, retarget)
        edit.replace_node(call, reiterate)

    return plan


# -- dict-keys-membership -------------------------------------------------------------------


_ITERATING = frozenset({"list", "tuple", "set", "frozenset", "sorted", "len", "iter"})


def _keys_iterated(scope: Scope) -> list[Site]:
    """``for k in d.keys()``, ``list(d.keys())`` and the like: reported, never rewritten."""
    sites = []
    tree = scope.tree
    for node in scope.of(cst.Call):
        call = _view_call(node, "keys") if isinstance(node, cst.Call) else None
        if call is None:
            continue
        parent = tree.parent(call)
        holder = tree.parent(parent) if parent is not None else None
        iterated = isinstance(parent, cst.For | cst.CompFor) and parent.iter is call
        wrapped = (
            isinstance(parent, cst.Arg)
            and isinstance(holder, cst.Call)
            and isinstance(holder.func, cst.Name)
            and holder.func.value in _ITERATING
            and len(holder.args) == 1
            and scope.facts.builtin(holder.func.value)
        )
        if not (iterated or wrapped):
            continue
        assert isinstance(call.func, cst.Attribute)
        shown = short(scope, call.func.value, 20)
        sites.append(
            Site(
                call,
                f"`{shown}.keys()` builds a view only to iterate it; iterating `{shown}` gives the "
                "same keys; not fixed: the saving is one call per evaluation, not one per key "
                "(worth it in a hot loop over small dicts)",
                False,
            )
        )
    return sites


def dict_keys_membership(scope: Scope) -> list[Site]:
    sites = _keys_iterated(scope)
    for node in scope.of(cst.ComparisonTarget):
        assert isinstance(node, cst.ComparisonTarget)
        if not isinstance(node.operator, cst.In | cst.NotIn):
            continue
        call = _view_call(node.comparator, "keys")
        if call is None:
            continue
        assert isinstance(call.func, cst.Attribute)
        owner = call.func.value
        shown = short(scope, owner, 20)
        message = (
            f"`in {shown}.keys()` builds a keys view to test membership; `in {shown}` asks the "
            "mapping directly"
        )
        reason = module_level_message() if not scope.is_function else _mapping(scope, owner)
        if reason is None and any(isinstance(n, cst.Comment) for n in walk(call)):
            reason = "the call holds a comment"
        if reason is not None:
            sites.append(Site(call, f"{message}; not fixed: {reason}", False))
        else:
            sites.append(Site(call, message, True, _plan_keys(call)))
    return sites


def _plan_keys(call: cst.Call) -> Plan:
    def unwrap(updated: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(updated, cst.Call) and isinstance(updated.func, cst.Attribute)
        return updated.func.value.with_changes(lpar=updated.lpar, rpar=updated.rpar)

    def plan(edit: Edit) -> None:
        edit.replace_node(call, unwrap)

    return plan


DICT_ITEMS = Recipe(
    "dict_items_unused_part",
    dict_items_unused_part,
    "Iterating `d.items()` and discarding the key or the value builds a tuple per item; "
    "iterating the dict (or `d.values()`) reads only the part that is used.",
)
DICT_KEYS_IN = Recipe(
    "dict_keys_membership",
    dict_keys_membership,
    "`k in d.keys()` builds a keys view before asking it; `k in d` asks the dict directly and "
    "answers the same for every key.",
)
