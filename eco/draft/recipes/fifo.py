"""A list used as a queue from the front: ``q.pop(0)`` and ``q.insert(0, x)`` shift every
element; ``deque.popleft()`` and ``deque.appendleft(x)`` do not.

The rewrite is only the same program when the list never escapes: every use of ``q`` must be
one that a ``deque`` answers identically (append, extend, pop and insert at either end,
truthiness, ``len``). Anything else (indexing, slicing, iteration, returning it, passing it on, a nested
function seeing it) leaves the code alone.
"""

from __future__ import annotations

from collections.abc import Callable

import libcst as cst

from eco.draft.recipes._common import in_nested_scope, module_level_message, name_references
from eco.draft.recipes._edit import Edit, Plan, Recipe, Site
from eco.draft.recipes._imports import Reference, reference
from eco.draft.scope import Scope

__all__ = ["LIST_INSERT_FRONT", "LIST_POP_FRONT", "list_insert_front", "list_pop_front"]


def _is_pop_front(node: cst.CSTNode) -> bool:
    return (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Attribute)
        and isinstance(node.func.value, cst.Name)
        and node.func.attr.value == "pop"
        and len(node.args) == 1
        and node.args[0].keyword is None
        and not node.args[0].star
        and isinstance(node.args[0].value, cst.Integer)
        and node.args[0].value.value == "0"
    )


def _is_insert_front(node: cst.CSTNode) -> bool:
    return (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Attribute)
        and isinstance(node.func.value, cst.Name)
        and node.func.attr.value == "insert"
        and len(node.args) == 2
        and all(a.keyword is None and not a.star for a in node.args)
        and isinstance(node.args[0].value, cst.Integer)
        and node.args[0].value.value == "0"
    )


def _front_calls(scope: Scope, test: Callable[[cst.CSTNode], bool]) -> dict[str, list[cst.Call]]:
    found: dict[str, list[cst.Call]] = {}
    for node in scope.of(cst.Call):
        if test(node) and scope.in_loop(node):
            assert isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute)
            assert isinstance(node.func.value, cst.Name)
            found.setdefault(node.func.value.value, []).append(node)
    return found


def list_pop_front(scope: Scope) -> list[Site]:
    pops = _front_calls(scope, _is_pop_front)
    return [
        _queue_site(
            scope,
            name,
            calls[0],
            f"`{name}.pop(0)` in a loop moves every remaining element; a deque pops from the front in O(1)",
        )
        for name, calls in pops.items()
    ]


def list_insert_front(scope: Scope) -> list[Site]:
    inserts = _front_calls(scope, _is_insert_front)
    # A list that is also popped from the front is list-pop-front's; that fix converts both.
    pops = _front_calls(scope, _is_pop_front) if inserts else {}
    return [
        _queue_site(
            scope,
            name,
            calls[0],
            f"`{name}.insert(0, ...)` in a loop moves every element; a deque adds at the front in O(1)",
        )
        for name, calls in inserts.items()
        if name not in pops
    ]


def _queue_site(scope: Scope, name: str, first: cst.Call, message: str) -> Site:
    if not scope.is_function:
        return Site(first, f"{message}; not fixed: {module_level_message()}", False)
    reason, assign = _check_queue(scope, name)
    ref = None
    if reason is None:
        ref = reference(scope, "collections", "deque", prefer="name")
        if ref is None:
            reason = "`deque` or `collections` already means something else in this module"
    if reason is not None or assign is None or ref is None:
        return Site(first, f"{message}; not fixed: {reason}", False)
    return Site(first, message, True, _plan(scope, name, assign, ref))


def _check_queue(scope: Scope, name: str) -> tuple[str | None, cst.Assign | None]:
    facts = scope.facts
    bindings = facts.bindings.get(name, [])
    if name in facts.declared:
        return f"`{name}` is declared global or nonlocal", None
    if len(bindings) != 1 or bindings[0].kind != "assign":
        return (
            f"`{name}` is not a local assigned exactly once (a parameter, rebound or annotated)",
            None,
        )
    assign = bindings[0].node
    assert isinstance(assign, cst.Assign)
    if len(assign.targets) != 1:
        return f"`{name}` is assigned together with other names", None
    value = assign.value
    is_list_call = (
        isinstance(value, cst.Call)
        and isinstance(value.func, cst.Name)
        and value.func.value == "list"
        and facts.builtin("list")
        and len(value.args) <= 1
        and all(a.keyword is None and not a.star for a in value.args)
    )
    if not (isinstance(value, cst.List | cst.ListComp) or is_list_call):
        return f"`{name}` is not built from a list literal, comprehension or list(...)", None
    tree = scope.tree
    for use in name_references(tree, scope.node, name):
        if use is assign.targets[0].target:
            continue
        if in_nested_scope(tree, use, scope.node):
            return f"`{name}` is used by a nested function or lambda", None
        if not _deque_compatible(scope, use):
            parent = tree.parent(use)
            shown = scope.code(parent).strip() if parent is not None else name
            shown = " ".join(shown.split())[:40]
            return (
                f"`{name}` is used as `{shown}`, which a deque would not answer the same way",
                None,
            )
    return None, assign


def _deque_compatible(scope: Scope, use: cst.Name) -> bool:
    tree = scope.tree
    parent = tree.parent(use)
    if isinstance(parent, cst.Attribute) and parent.value is use:
        call = tree.parent(parent)
        if not (isinstance(call, cst.Call) and call.func is parent):
            return False
        plain = all(a.keyword is None and not a.star for a in call.args)
        method = parent.attr.value
        if method in ("append", "extend"):
            return plain and len(call.args) == 1
        if method == "pop":
            return not call.args or _is_pop_front(call)
        if method == "insert":
            return _is_insert_front(call)
        return False
    if isinstance(parent, cst.Arg):
        call = tree.parent(parent)
        return (
            isinstance(call, cst.Call)
            and isinstance(call.func, cst.Name)
            and call.func.value == "len"
            and scope.facts.builtin("len")
            and len(call.args) == 1
            and parent.keyword is None
            and not parent.star
        )
    return _truth_context(scope, use)


def _truth_context(scope: Scope, node: cst.CSTNode) -> bool:
    """True when only the truth value of ``node`` is ever looked at."""
    tree = scope.tree
    parent = tree.parent(node)
    if (
        isinstance(parent, cst.If | cst.While | cst.IfExp | cst.Assert | cst.CompIf)
        and parent.test is node
    ):
        return True
    if isinstance(parent, cst.UnaryOperation) and isinstance(parent.operator, cst.Not):
        return True
    if isinstance(parent, cst.BooleanOperation):
        # `q and x` evaluates to q itself when q is empty: fine only if that value is
        # itself only tested for truth.
        return _truth_context(scope, parent)
    return False


def _plan(scope: Scope, name: str, assign: cst.Assign, ref: Reference) -> Plan:
    def mine(node: cst.CSTNode) -> bool:
        return (
            isinstance(node, cst.Call)
            and isinstance(node.func, cst.Attribute)
            and isinstance(node.func.value, cst.Name)
            and node.func.value.value == name
        )

    pops = [node for node in scope.of(cst.Call) if _is_pop_front(node) and mine(node)]
    inserts = [node for node in scope.of(cst.Call) if _is_insert_front(node) and mine(node)]
    constructor = cst.parse_expression(ref.text)

    def make_deque(updated: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(updated, cst.Assign)
        value = updated.value
        if isinstance(value, cst.Call):  # list(...) -> deque(...)
            return updated.with_changes(value=value.with_changes(func=constructor))
        if isinstance(value, cst.List) and not value.elements and not value.lpar:
            return updated.with_changes(value=cst.Call(func=constructor))
        return updated.with_changes(value=cst.Call(func=constructor, args=[cst.Arg(value=value)]))

    def popleft(updated: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(updated, cst.Call) and isinstance(updated.func, cst.Attribute)
        return updated.with_changes(
            func=updated.func.with_changes(attr=cst.Name("popleft")),
            args=[],
            whitespace_before_args=cst.SimpleWhitespace(""),
        )

    def appendleft(updated: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(updated, cst.Call) and isinstance(updated.func, cst.Attribute)
        value = updated.args[1]
        return updated.with_changes(
            func=updated.func.with_changes(attr=cst.Name("appendleft")),
            args=[value.with_changes(comma=cst.MaybeSentinel.DEFAULT)],
        )

    def plan(edit: Edit) -> None:
        ref.register(edit)
        edit.replace_node(assign, make_deque)
        for call in pops:
            edit.replace_node(call, popleft)
        for call in inserts:
            edit.replace_node(call, appendleft)

    return plan


LIST_POP_FRONT = Recipe(
    "list_pop_front",
    list_pop_front,
    "`list.pop(0)` shifts every remaining element, so draining a list queue is quadratic; "
    "`collections.deque.popleft()` is O(1) and the queue is used only in ways a deque supports.",
)
LIST_INSERT_FRONT = Recipe(
    "list_insert_front",
    list_insert_front,
    "`list.insert(0, x)` shifts every element to make room, so filling a list from the front is "
    "quadratic; `collections.deque.appendleft(x)` is O(1) and the list is used only in ways a "
    "deque supports.",
)
