"""What a piece of code may change: the question behind every rewrite that reads a value once
instead of many times (a hoisted ``len``, an iteration instead of indexing).

`changes` answers, conservatively, whether running a region (a loop's test and body) could
rebind a name or change the container it holds. Immutable containers (tuple, str, bytes,
frozenset) can only be rebound. A mutable one may also change through a method call, an item
store, being passed to a function, or through any other reference to the same object, so for
those the region may call nothing but pure builtins, pure ``str`` methods and the methods of
containers the function itself created.
"""

from __future__ import annotations

from collections.abc import Iterable

import libcst as cst

from eco.draft.facts import BYTES, IMMUTABLE_KINDS, STR, is_hashable
from eco.draft.recipes._common import PURE_BUILTINS, is_load, short, store_targets
from eco.draft.scope import Scope, walk

__all__ = ["READ_ONLY_METHODS", "changes", "fresh_local", "region_nodes"]

#: Methods of builtin containers and str that change nothing.
READ_ONLY_METHODS = frozenset(
    {
        "count",
        "index",
        "copy",
        "get",
        "keys",
        "values",
        "items",
        "startswith",
        "endswith",
        "find",
        "rfind",
        "lower",
        "upper",
        "strip",
        "lstrip",
        "rstrip",
        "split",
        "rsplit",
        "join",
        "replace",
        "isdigit",
        "isalpha",
        "isalnum",
        "isspace",
        "casefold",
        "issubset",
        "issuperset",
        "isdisjoint",
        "union",
        "intersection",
        "difference",
    }
)
#: Methods that change only the container they are called on.
_SELF_MUTATORS = frozenset(
    {
        "append",
        "extend",
        "insert",
        "pop",
        "remove",
        "clear",
        "sort",
        "reverse",
        "add",
        "discard",
        "update",
        "setdefault",
        "popitem",
        "appendleft",
        "popleft",
        "difference_update",
        "intersection_update",
    }
)


def region_nodes(roots: Iterable[cst.CSTNode]) -> list[cst.CSTNode]:
    """Every node under ``roots`` (nested functions and lambdas included: their bodies can run
    while the region runs)."""
    found: list[cst.CSTNode] = []
    for root in roots:
        found.extend(walk(root))
    return found


def fresh_local(scope: Scope, node: cst.BaseExpression, other: str | None = None) -> bool:
    """A local (not ``other``) that only ever holds containers this function built itself, so
    no caller or other name can hold the same object."""
    if not isinstance(node, cst.Name) or node.value == other:
        return False
    facts = scope.facts
    bindings = facts.bindings.get(node.value, [])
    if not bindings or node.value in facts.declared:
        return False
    return all(
        binding.kind == "assign"
        and facts.value_kind(binding.value) in ("list", "dict", "set", "tuple")
        and not isinstance(binding.value, cst.Name)
        for binding in bindings
    )


def changes(
    scope: Scope,
    nodes: list[cst.CSTNode],
    name: str,
    kind: str | None,
    *,
    through_others: bool = True,
) -> str | None:
    """Why running ``nodes`` might rebind ``name`` or change the container it holds (of
    container ``kind``), or None when it cannot. With ``through_others`` false, only what the
    code does to ``name`` itself counts, not what it might do through another reference (a
    looser test, for reporting)."""
    tree = scope.tree
    facts = scope.facts
    if name in facts.declared:
        return f"`{name}` is declared global or nonlocal"
    mutable = kind not in IMMUTABLE_KINDS
    for node in nodes:
        if isinstance(node, cst.Name) and node.value == name:
            parent = tree.parent(node)
            if isinstance(parent, cst.Attribute) and parent.attr is node:
                continue
            if isinstance(parent, cst.Arg) and parent.keyword is node:
                continue
            if not is_load(tree, node) or isinstance(parent, cst.Del):
                return f"`{name}` is rebound inside the loop"
            if mutable:
                reason = _mutating_use(scope, node, name)
                if reason is not None:
                    return reason
        if isinstance(node, cst.FunctionDef | cst.ClassDef) and node.name.value == name:
            return f"`{name}` is rebound inside the loop"
        if not mutable or not through_others:
            continue
        if isinstance(node, cst.Yield | cst.Await):
            return (
                f"other code may change `{name}` while the loop waits at `{short(scope, node, 20)}`"
            )
        if isinstance(node, cst.Call):
            reason = _foreign_call(scope, node, name)
            if reason is not None:
                return reason
        targets = store_targets(node)
        for target in targets:
            for part in walk(target):
                if isinstance(part, cst.Subscript | cst.Attribute) and not fresh_local(
                    scope, part.value, name
                ):
                    return f"`{short(scope, part, 30)}` may write into `{name}` itself"
            if (
                isinstance(node, cst.AugAssign)
                and isinstance(target, cst.Name)
                and target.value != name
                and not fresh_local(scope, target, name)
                and not _scalar(scope, target.value)
            ):
                return f"`{short(scope, node, 30)}` may change `{name}` in place"
    return None


def _scalar(scope: Scope, name: str) -> bool:
    """True when every plain binding of ``name`` is a number, str or other scalar, so an
    augmented assignment to it cannot change a container in place."""
    facts = scope.facts
    bindings = [b for b in facts.bindings.get(name, []) if b.kind != "augassign"]
    return bool(bindings) and all(is_hashable(facts.binding_type(b)) for b in bindings)


def _mutating_use(scope: Scope, use: cst.Name, name: str) -> str | None:
    tree = scope.tree
    parent = tree.parent(use)
    if isinstance(parent, cst.Attribute) and parent.value is use:
        holder = tree.parent(parent)
        called = isinstance(holder, cst.Call) and holder.func is parent
        stored = isinstance(holder, cst.AssignTarget | cst.Del) or (
            isinstance(holder, cst.AugAssign | cst.AnnAssign) and holder.target is parent
        )
        if stored or parent.attr.value in _SELF_MUTATORS:
            return f"`{short(scope, parent, 30)}` may change `{name}`"
        if not called or parent.attr.value in READ_ONLY_METHODS:
            return None  # an attribute read, or a method that changes nothing
        return f"`{short(scope, parent, 30)}` may change `{name}`"
    if isinstance(parent, cst.Subscript) and parent.value is use:
        holder = tree.parent(parent)
        if isinstance(holder, cst.AssignTarget | cst.Del) or (
            isinstance(holder, cst.AugAssign | cst.AnnAssign) and holder.target is parent
        ):
            return f"`{short(scope, parent, 30)}` writes into `{name}`"
        return None
    if isinstance(parent, cst.Arg):
        call = tree.parent(parent)
        if (
            isinstance(call, cst.Call)
            and isinstance(call.func, cst.Name)
            and call.func.value in PURE_BUILTINS
            and scope.facts.builtin(call.func.value)
            and parent.keyword is None
            and not parent.star
        ):
            return None
        return f"`{name}` is passed to `{short(scope, call or parent, 30)}`"
    if isinstance(parent, cst.AugAssign) and parent.target is use:
        return f"`{short(scope, parent, 30)}` changes `{name}` in place"
    if isinstance(
        parent,
        cst.Comparison
        | cst.ComparisonTarget
        | cst.If
        | cst.While
        | cst.IfExp
        | cst.UnaryOperation
        | cst.BooleanOperation
        | cst.BinaryOperation
        | cst.For
        | cst.CompFor
        | cst.CompIf,
    ):
        return None
    return f"`{name}` is used as `{short(scope, parent or use, 30)}`, which might keep or change it"


def _foreign_call(scope: Scope, call: cst.Call, name: str) -> str | None:
    """Why this call might change ``name``'s container through another reference."""
    facts = scope.facts
    func = call.func
    if isinstance(func, cst.Name) and func.value in PURE_BUILTINS and facts.builtin(func.value):
        return None
    if isinstance(func, cst.Attribute):
        receiver = func.value
        if isinstance(receiver, cst.Name) and receiver.value == name:
            return None  # judged by _mutating_use
        if facts.type_of(receiver) in (STR, BYTES):
            return None
        if func.attr.value in READ_ONLY_METHODS and isinstance(receiver, cst.Name):
            kind = facts.container(receiver.value)
            if kind is not None:
                return None
        if func.attr.value in _SELF_MUTATORS and fresh_local(scope, receiver, name):
            return None
    return f"the call `{short(scope, call, 30)}` might change `{name}` through another reference"
