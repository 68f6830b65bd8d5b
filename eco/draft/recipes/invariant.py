"""Work a loop repeats although its inputs do not change.

* ``len(xs)`` in a loop's test or body, with ``xs`` unchanged by the loop: computed once
  before the loop into a local. The loop must not rebind ``xs`` nor (for a mutable
  container) change it directly or through anything it calls; ``xs`` must be a parameter
  (always bound, so computing the length early cannot raise where the loop would not) unless
  the length is in a ``while`` test, which runs at least once.
* ``for i in range(len(xs))`` whose body only reads ``xs[i]``: iterating ``xs`` itself skips
  the index arithmetic and lookups. ``i`` must be used for nothing else, in the loop or after
  it, and the loop must not change ``xs``.
"""

from __future__ import annotations

import libcst as cst

from eco.draft.recipes._common import (
    in_nested_scope,
    is_load,
    module_level_message,
    name_references,
)
from eco.draft.recipes._edit import Edit, Plan, Recipe, Site
from eco.draft.recipes._effects import changes, region_nodes
from eco.draft.recipes.comprehension import rebound_before
from eco.draft.scope import Scope, Tree

__all__ = ["LOOP_INVARIANT_LEN", "RANGE_LEN", "loop_invariant_len", "range_len_indexing"]

_SIZED = frozenset(
    {"dict", "mapping", "list", "tuple", "set", "frozenset", "str", "bytes", "sequence"}
)
_INDEXABLE = frozenset({"list", "tuple", "str", "bytes", "sequence"})


def _len_of_name(node: cst.CSTNode) -> str | None:
    if (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Name)
        and node.func.value == "len"
        and len(node.args) == 1
        and node.args[0].keyword is None
        and not node.args[0].star
        and isinstance(node.args[0].value, cst.Name)
    ):
        return node.args[0].value.value
    return None


# -- loop-invariant-len ---------------------------------------------------------------------


def loop_invariant_len(scope: Scope) -> list[Site]:
    sites = []
    tree = scope.tree
    for call in scope.of(cst.Call):
        name = _len_of_name(call)
        if name is None:
            continue
        assert isinstance(call, cst.Call)
        loops = tree.loop_ancestors(call, scope.node)
        if not loops:
            continue
        loop = loops[0]
        statement = loop if isinstance(loop, cst.For | cst.While) else tree.statement_of(loop)
        if statement is None:
            continue
        region = region_nodes([statement])
        facts = scope.facts
        kind = facts.container(name)
        # Not invariant at all (the loop rebinds or changes it): nothing to report.
        if changes(scope, region, name, kind, through_others=False) is not None:
            continue
        message = (
            f"`len({name})` is computed on every iteration although the loop does not change "
            f"`{name}`; compute it once before the loop"
        )
        reason = None
        if not scope.is_function:
            reason = module_level_message()
        elif not facts.builtin("len"):
            reason = "`len` is not the builtin here"
        elif kind not in _SIZED:
            reason = f"`{name}` is not known to be a builtin collection"
        elif facts.bound_only_as_param(name) is None and not (
            isinstance(loop, cst.While) and _within(tree, call, loop.test)
        ):
            reason = (
                f"`{name}` is not a parameter, so it might be unbound when the loop does not run"
            )
        else:
            reason = changes(scope, region, name, kind)
        if reason is not None:
            sites.append(Site(call, f"{message}; not fixed: {reason}", False))
        else:
            sites.append(Site(call, message, True, _plan_hoist(call, statement, name)))
    return sites


def _within(tree: Tree, node: cst.CSTNode, container: cst.CSTNode) -> bool:
    return node is container or any(a is container for a in tree.ancestors(node))


def _plan_hoist(call: cst.Call, statement: cst.BaseStatement, name: str) -> Plan:
    def plan(edit: Edit) -> None:
        key = ("len", id(statement), name)
        hoisted = edit.memo.get(key)
        if hoisted is None:
            hoisted = edit.memo[key] = edit.fresh(f"{name}_len")
            edit.insert_before(statement, cst.parse_statement(f"{hoisted} = len({name})\n"))
        local = hoisted

        def use(updated: cst.CSTNode) -> cst.CSTNode:
            assert isinstance(updated, cst.Call)
            return cst.Name(local, lpar=updated.lpar, rpar=updated.rpar)

        edit.replace_node(call, use)

    return plan


# -- range-len-indexing ---------------------------------------------------------------------


def _range_len(loop: cst.For) -> str | None:
    """``xs`` when the loop iterates ``range(len(xs))``."""
    it = loop.iter
    if (
        isinstance(it, cst.Call)
        and isinstance(it.func, cst.Name)
        and it.func.value == "range"
        and len(it.args) == 1
        and it.args[0].keyword is None
        and not it.args[0].star
    ):
        return _len_of_name(it.args[0].value)
    return None


def _index_reads(
    scope: Scope, loop: cst.For, index: str, seq: str
) -> tuple[list[cst.Subscript], bool]:
    """The ``seq[index]`` reads in the loop body, and whether ``index`` is used for anything else
    there."""
    tree = scope.tree
    reads: list[cst.Subscript] = []
    other = False
    for use in name_references(tree, loop.body, index):
        parent = tree.parent(use)
        element = tree.parent(parent) if parent is not None else None
        subscript = tree.parent(element) if element is not None else None
        if (
            isinstance(parent, cst.Index)
            and isinstance(element, cst.SubscriptElement)
            and isinstance(subscript, cst.Subscript)
            and len(subscript.slice) == 1
            and isinstance(subscript.value, cst.Name)
            and subscript.value.value == seq
            and _is_read(scope, subscript)
            and not in_nested_scope(tree, use, scope.node)
        ):
            reads.append(subscript)
        else:
            other = True
    return reads, other


def _is_read(scope: Scope, subscript: cst.Subscript) -> bool:
    parent = scope.tree.parent(subscript)
    if isinstance(parent, cst.AssignTarget | cst.Del):
        return False
    return not (isinstance(parent, cst.AugAssign | cst.AnnAssign) and parent.target is subscript)


def range_len_indexing(scope: Scope) -> list[Site]:
    sites = []
    for loop in scope.of(cst.For):
        assert isinstance(loop, cst.For)
        seq = _range_len(loop)
        if seq is None or not isinstance(loop.target, cst.Name) or loop.asynchronous:
            continue
        index = loop.target.value
        reads, other = _index_reads(scope, loop, index, seq)
        if not reads or other:
            continue  # needing the index (to store, or as a number) is what range() is for
        message = (
            f"`for {index} in range(len({seq}))` reads `{seq}[{index}]` by index; iterating "
            f"`{seq}` directly skips the index arithmetic and lookups"
        )
        facts = scope.facts
        kind = facts.container(seq)
        reason = None
        if not scope.is_function:
            reason = module_level_message()
        elif not (facts.builtin("range") and facts.builtin("len")):
            reason = "`range` or `len` is not the builtin here"
        elif kind not in _INDEXABLE:
            reason = f"`{seq}` is not known to be a list, tuple, str or bytes"
        elif index in facts.declared:
            reason = f"`{index}` is declared global or nonlocal"
        else:
            reason = _index_used_outside(scope, loop, index)
            if reason is None:
                body = region_nodes([loop.body, *([loop.orelse] if loop.orelse else [])])
                reason = changes(scope, body, seq, kind)
        if reason is not None:
            sites.append(Site(loop, f"{message}; not fixed: {reason}", False))
        else:
            sites.append(Site(loop, message, True, _plan_iterate(loop, seq, reads)))
    return sites


def _index_used_outside(scope: Scope, loop: cst.For, index: str) -> str | None:
    tree = scope.tree
    for use in name_references(tree, scope.node, index):
        if use is loop.target or any(a is loop.body for a in tree.ancestors(use)):
            continue
        if rebound_before(scope, use, index):
            continue
        if in_nested_scope(tree, use, scope.node):
            return f"`{index}` is used by a nested function or lambda"
        if is_load(tree, use) or isinstance(tree.parent(use), cst.Del):
            return f"`{index}` is read outside the loop body, where the rewrite no longer binds it"
    return None


def _element_name(seq: str) -> str:
    if len(seq) > 2 and seq.endswith("s") and not seq.endswith("ss"):
        return seq[:-1]
    return "item"


def _plan_iterate(loop: cst.For, seq: str, reads: list[cst.Subscript]) -> Plan:
    def plan(edit: Edit) -> None:
        element = edit.fresh(_element_name(seq))

        def retarget(updated: cst.CSTNode) -> cst.CSTNode:
            assert isinstance(updated, cst.For)
            return updated.with_changes(target=cst.Name(element), iter=cst.Name(seq))

        def read(updated: cst.CSTNode) -> cst.CSTNode:
            assert isinstance(updated, cst.Subscript)
            return cst.Name(element, lpar=updated.lpar, rpar=updated.rpar)

        edit.replace_node(loop, retarget)
        for subscript in reads:
            edit.replace_node(subscript, read)

    return plan


LOOP_INVARIANT_LEN = Recipe(
    "loop_invariant_len",
    loop_invariant_len,
    "`len()` of a collection the loop never changes was computed on every iteration; it is now "
    "computed once before the loop.",
)
RANGE_LEN = Recipe(
    "range_len_indexing",
    range_len_indexing,
    "`for i in range(len(xs))` that only reads `xs[i]` pays for the index and a lookup per "
    "element; iterating `xs` directly yields the same elements.",
)
