"""Report-only detectors for lookups done more often than needed: the same ``d[k]`` twice, an
index lookup of what the loop already holds, linear search in sorted data, and nested loops
that join two collections pair by pair."""

from __future__ import annotations

import libcst as cst

from eco.draft.recipes._common import hashable_constant, is_load, name_references
from eco.draft.recipes._edit import Analyzer, Site
from eco.draft.recipes._effects import READ_ONLY_METHODS
from eco.draft.scope import COMPREHENSIONS, Scope, target_names, walk

__all__ = ["LOOKUP_REPORTS"]


# -- repeated-dict-lookup -------------------------------------------------------------------


def _key_text(scope: Scope, node: cst.Subscript) -> tuple[str, str] | None:
    """``(dict name, key code)`` for ``d[k]`` with a plain name or constant key."""
    if not (
        isinstance(node.value, cst.Name)
        and len(node.slice) == 1
        and isinstance(node.slice[0].slice, cst.Index)
    ):
        return None
    key = node.slice[0].slice.value
    if not (isinstance(key, cst.Name) or hashable_constant(key)):
        return None
    return node.value.value, scope.code(key).strip()


def _group_of(scope: Scope, node: cst.CSTNode) -> tuple[cst.CSTNode, list[cst.CSTNode]] | None:
    """The straight-line group holding ``node``: its simple statement line, or, for an ``if``
    test or a simple statement directly in an ``if`` body, the test with those statements."""
    tree = scope.tree
    previous: cst.CSTNode = node
    for ancestor in tree.ancestors(node):
        if isinstance(ancestor, cst.If) and previous is ancestor.test:
            return ancestor, _if_group(ancestor)
        if isinstance(ancestor, cst.SimpleStatementLine):
            block = tree.parent(ancestor)
            owner = tree.parent(block) if block is not None else None
            if isinstance(owner, cst.If) and owner.body is block:
                return owner, _if_group(owner)
            return ancestor, [ancestor]
        if isinstance(ancestor, cst.BaseCompoundStatement | cst.Lambda):
            return None
        previous = ancestor
    return None


def _if_group(node: cst.If) -> list[cst.CSTNode]:
    group: list[cst.CSTNode] = [node.test]
    if isinstance(node.body, cst.IndentedBlock):
        group += [s for s in node.body.body if isinstance(s, cst.SimpleStatementLine)]
    else:
        group.append(node.body)
    return group


def _written(scope: Scope, group: list[cst.CSTNode], names: set[str]) -> bool:
    """True when the group stores into, rebinds or calls a changing method on one of ``names``."""
    tree = scope.tree
    for root in group:
        for node in walk(root):
            if isinstance(node, cst.Name) and node.value in names:
                parent = tree.parent(node)
                if isinstance(parent, cst.CompFor) and parent.target is node:
                    continue  # a comprehension's own variable, bound once per element
                if not is_load(tree, node):
                    return True
                if isinstance(parent, cst.Subscript) and parent.value is node:
                    holder = tree.parent(parent)
                    if isinstance(holder, cst.AssignTarget | cst.Del) or (
                        isinstance(holder, cst.AugAssign) and holder.target is parent
                    ):
                        return True
                if (
                    isinstance(parent, cst.Attribute)
                    and parent.value is node
                    and parent.attr.value not in READ_ONLY_METHODS
                ):
                    return True
    return False


def repeated_dict_lookup(scope: Scope) -> list[Site]:
    subscripts = scope.of(cst.Subscript)
    if len(subscripts) < 2:
        return []
    facts = scope.facts
    reads: dict[tuple[int, str, str], list[cst.Subscript]] = {}
    groups: dict[int, list[cst.CSTNode]] = {}
    for node in subscripts:
        assert isinstance(node, cst.Subscript)
        found = _key_text(scope, node)
        parent = scope.tree.parent(node)
        if found is None or isinstance(parent, cst.AssignTarget | cst.Del):
            continue
        if isinstance(parent, cst.AugAssign) and parent.target is node:
            continue
        group = _group_of(scope, node)
        if group is None:
            continue
        groups[id(group[0])] = group[1]
        reads.setdefault((id(group[0]), *found), []).append(node)
    sites = []
    for (group_id, owner, key), nodes in reads.items():
        if len(nodes) < 2 or not scope.in_loop(nodes[0]):
            continue
        dict_like = facts.container(owner) in ("dict", "mapping") or key[:1] in "\"'"
        if not dict_like or _written(scope, groups[group_id], {owner, key}):
            continue
        sites.append(
            Site(
                nodes[0],
                f"`{owner}[{key}]` is looked up {len(nodes)} times in a row with nothing "
                "changed in between; look it up once into a local; not fixed: report-only",
                False,
            )
        )
    return sites


# -- redundant-index-lookup -----------------------------------------------------------------


def redundant_index_lookup(scope: Scope) -> list[Site]:
    sites = []
    tree = scope.tree
    for loop in scope.of(cst.For):
        assert isinstance(loop, cst.For)
        it = loop.iter
        target = loop.target
        if not (
            isinstance(it, cst.Call)
            and isinstance(target, cst.Tuple)
            and len(target.elements) == 2
            and all(isinstance(e.value, cst.Name) for e in target.elements)
        ):
            continue
        first, second = (e.value for e in target.elements)
        assert isinstance(first, cst.Name) and isinstance(second, cst.Name)
        if (
            isinstance(it.func, cst.Attribute)
            and it.func.attr.value == "items"
            and not it.args
            and isinstance(it.func.value, cst.Name)
        ):
            owner, index, value = it.func.value.value, first.value, second.value
        elif (
            isinstance(it.func, cst.Name)
            and it.func.value == "enumerate"
            and len(it.args) == 1
            and isinstance(it.args[0].value, cst.Name)
        ):
            owner, index, value = it.args[0].value.value, first.value, second.value
        else:
            continue
        for use in name_references(tree, loop.body, owner):
            parent = tree.parent(use)
            if not (
                isinstance(parent, cst.Subscript)
                and parent.value is use
                and len(parent.slice) == 1
                and isinstance(parent.slice[0].slice, cst.Index)
                and isinstance(parent.slice[0].slice.value, cst.Name)
                and parent.slice[0].slice.value.value == index
            ):
                continue
            holder = tree.parent(parent)
            if isinstance(holder, cst.AssignTarget | cst.Del) or (
                isinstance(holder, cst.AugAssign) and holder.target is parent
            ):
                break  # the loop writes the item: the lookup may see a new value
            sites.append(
                Site(
                    parent,
                    f"`{owner}[{index}]` looks up what the loop already holds in `{value}`; not "
                    f"fixed: report-only (the gain is small unless the loop is tight)",
                    False,
                )
            )
            break
    return sites


# -- linear-search-sorted -------------------------------------------------------------------


def _sorted_local(scope: Scope, name: str) -> bool:
    facts = scope.facts
    bindings = facts.bindings.get(name, [])
    if not bindings or name in facts.declared:
        return False
    by_sorted = all(
        b.kind == "assign"
        and isinstance(b.value, cst.Call)
        and isinstance(b.value.func, cst.Name)
        and b.value.func.value == "sorted"
        for b in bindings
    )
    if by_sorted:
        return True
    sorts = [
        n
        for n in scope.of(cst.Call)
        if isinstance(n, cst.Call)
        and isinstance(n.func, cst.Attribute)
        and n.func.attr.value == "sort"
        and isinstance(n.func.value, cst.Name)
        and n.func.value.value == name
        and not n.args
    ]
    return bool(sorts) and facts.container(name) == "list"


def linear_search_sorted(scope: Scope) -> list[Site]:
    if not scope.is_function:
        return []
    sites = []
    for node in scope.of(cst.ComparisonTarget, cst.Call):
        name = None
        if (
            isinstance(node, cst.ComparisonTarget)
            and isinstance(node.operator, cst.In | cst.NotIn)
            and isinstance(node.comparator, cst.Name)
        ):
            name = node.comparator.value
        elif (
            isinstance(node, cst.Call)
            and isinstance(node.func, cst.Attribute)
            and node.func.attr.value in ("index", "count")
            and isinstance(node.func.value, cst.Name)
        ):
            name = node.func.value.value
        if name is None or not scope.in_loop(node) or not _sorted_local(scope, name):
            continue
        sites.append(
            Site(
                node,
                f"`{name}` is sorted, yet this scans it from the start on every iteration; "
                "`bisect` finds a value in O(log n) (or build a set once); not fixed: "
                "report-only (bisect needs an order consistent with equality)",
                False,
            )
        )
    return sites


# -- nested-loop-join -----------------------------------------------------------------------


def _mentions(node: cst.CSTNode, names: set[str]) -> bool:
    return any(isinstance(n, cst.Name) and n.value in names for n in walk(node))


def _joins(test: cst.BaseExpression, outer: set[str], inner: set[str]) -> bool:
    """True for ``f(outer) == g(inner)`` (either way round)."""
    if not (
        isinstance(test, cst.Comparison)
        and len(test.comparisons) == 1
        and isinstance(test.comparisons[0].operator, cst.Equal)
    ):
        return False
    left, right = test.left, test.comparisons[0].comparator
    for one, other in ((left, right), (right, left)):
        if (
            _mentions(one, outer)
            and not _mentions(one, inner)
            and _mentions(other, inner)
            and not _mentions(other, outer)
        ):
            return True
    return False


def _names(target: cst.BaseExpression) -> set[str]:
    return {n.value for n in target_names(target)}


def nested_loop_join(scope: Scope) -> list[Site]:
    sites = []
    message = (
        "nested loops compare every pair to find matching keys (O(n*m)); index the inner "
        "collection by key in a dict once; not fixed: report-only"
    )
    for loop in scope.of(cst.For):
        assert isinstance(loop, cst.For)
        outer = _names(loop.target)
        for inner in walk(loop.body):
            if not isinstance(inner, cst.For) or _mentions(inner.iter, outer):
                continue
            names = _names(inner.target)
            tests = [n.test for n in walk(inner.body) if isinstance(n, cst.If)]
            if any(_joins(t, outer, names) for t in tests):
                sites.append(Site(inner, message, False))
                break
    for comp in scope.of(*COMPREHENSIONS):
        assert isinstance(comp, cst.ListComp | cst.SetComp | cst.DictComp | cst.GeneratorExp)
        first = comp.for_in
        second = first.inner_for_in
        if second is None or _mentions(second.iter, _names(first.target)):
            continue
        outer, inner_names = _names(first.target), _names(second.target)
        if any(_joins(c.test, outer, inner_names) for c in second.ifs):
            sites.append(Site(comp, message, False))
    return sites


LOOKUP_REPORTS: dict[str, Analyzer] = {
    "repeated_dict_lookup": repeated_dict_lookup,
    "redundant_index_lookup": redundant_index_lookup,
    "linear_search_sorted": linear_search_sorted,
    "nested_loop_join": nested_loop_join,
}
