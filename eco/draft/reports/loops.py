"""Report-only detectors for work a loop repeats: invariant calls and attribute chains, global
and module lookups, copies, slices of bytes, and exceptions on the hot path."""

from __future__ import annotations

import libcst as cst

from eco.draft.facts import BYTES
from eco.draft.recipes._common import PURE_BUILTINS, hashable_constant, short, store_targets
from eco.draft.recipes._edit import Analyzer, Site
from eco.draft.recipes._effects import changes, region_nodes
from eco.draft.scope import COMPREHENSIONS, Scope, walk

__all__ = ["LOOP_REPORTS"]

#: Builtins worth hoisting when their arguments do not change (cheap or lazy ones left out).
_HOISTABLE = frozenset(
    {"sorted", "min", "max", "sum", "any", "all", "abs", "round", "repr", "hash", "divmod", "pow"}
)
_COPIERS = frozenset({"list", "tuple", "set", "dict", "frozenset"})
_STR_METHODS = frozenset(
    {"join", "lower", "upper", "strip", "split", "replace", "format", "encode", "casefold"}
)
_LOOKUP_ERRORS = frozenset({"KeyError", "IndexError", "LookupError"})


class _Loops:
    """Per-scope cache of loop regions and of which names a loop leaves unchanged."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self._regions: dict[int, list[cst.CSTNode]] = {}
        self._invariant: dict[tuple[int, str], bool] = {}

    def innermost(self, node: cst.CSTNode) -> cst.CSTNode | None:
        loops = self.scope.tree.loop_ancestors(node, self.scope.node)
        return loops[0] if loops else None

    def region(self, loop: cst.CSTNode) -> list[cst.CSTNode]:
        found = self._regions.get(id(loop))
        if found is None:
            found = self._regions[id(loop)] = region_nodes([loop])
        return found

    def invariant(self, loop: cst.CSTNode, name: str) -> bool:
        key = (id(loop), name)
        if key not in self._invariant:
            reason = changes(self.scope, self.region(loop), name, None, through_others=False)
            self._invariant[key] = reason is None and not _comprehension_target(loop, name)
        return self._invariant[key]

    def invariant_expression(self, loop: cst.CSTNode, node: cst.CSTNode) -> bool:
        """Every name in ``node`` unchanged by the loop, and nothing in it but names, constants,
        attribute reads, operators and pure builtin calls."""
        facts = self.scope.facts
        for part in walk(node):
            if isinstance(part, (cst.Lambda, cst.Yield, cst.Await, cst.NamedExpr, *COMPREHENSIONS)):
                return False
            if isinstance(part, cst.Call):
                func = part.func
                if not (
                    isinstance(func, cst.Name)
                    and func.value in PURE_BUILTINS
                    and facts.builtin(func.value)
                ):
                    return False
            if isinstance(part, cst.Name):
                parent = self.scope.tree.parent(part)
                if isinstance(parent, cst.Attribute) and parent.attr is part:
                    continue
                if isinstance(parent, cst.Arg) and parent.keyword is part:
                    continue
                if part.value in ("True", "False", "None"):
                    continue
                if not self.invariant(loop, part.value):
                    return False
        return True


def _comprehension_target(loop: cst.CSTNode, name: str) -> bool:
    if not isinstance(loop, COMPREHENSIONS):
        return False
    clause: cst.CompFor | None = loop.for_in
    while clause is not None:
        if any(isinstance(n, cst.Name) and n.value == name for n in walk(clause.target)):
            return True
        clause = clause.inner_for_in
    return False


def _is_statement_iter(scope: Scope, node: cst.CSTNode) -> bool:
    parent = scope.tree.parent(node)
    return isinstance(parent, cst.For) and parent.iter is node


# -- try-except-in-loop ---------------------------------------------------------------------


def try_except_in_loop(scope: Scope) -> list[Site]:
    sites = []
    for node in scope.of(cst.Try):
        if isinstance(node, cst.Try) and node.handlers:
            block = scope.tree.parent(node)
            loop = scope.tree.parent(block) if block is not None else None
            if isinstance(loop, cst.For | cst.While) and loop.body is block:
                sites.append(
                    Site(
                        node,
                        "`try`/`except` inside a loop body sets up a handler every "
                        "iteration (cheap since Python 3.11, costly before); not fixed: "
                        "report-only",
                        False,
                    )
                )
    return sites


# -- exception-as-control-flow --------------------------------------------------------------


def _caught(handler: cst.ExceptHandler) -> set[str]:
    kind = handler.type
    names: list[cst.BaseExpression] = []
    if isinstance(kind, cst.Tuple):
        names = [e.value for e in kind.elements]
    elif kind is not None:
        names = [kind]
    return {n.value for n in names if isinstance(n, cst.Name)}


def exception_as_control_flow(scope: Scope) -> list[Site]:
    sites = []
    for node in scope.of(cst.Try):
        assert isinstance(node, cst.Try)
        if not scope.in_loop(node) or not isinstance(node.body, cst.IndentedBlock):
            continue
        if len(node.body.body) > 3:
            continue
        caught = set().union(*(_caught(h) for h in node.handlers)) if node.handlers else set()
        body = list(walk(node.body))
        subscripts = any(isinstance(n, cst.Subscript) for n in body)
        nexts = any(
            isinstance(n, cst.Call) and isinstance(n.func, cst.Name) and n.func.value == "next"
            for n in body
        )
        attributes = any(isinstance(n, cst.Attribute) for n in body)
        found = None
        if caught & _LOOKUP_ERRORS and subscripts:
            found = sorted(caught & _LOOKUP_ERRORS)[0]
            better = "a membership test or `.get()`"
        elif "StopIteration" in caught and nexts:
            found, better = "StopIteration", "`next(it, default)`"
        elif "AttributeError" in caught and attributes:
            found, better = "AttributeError", "`getattr(obj, name, default)`"
        if found is not None:
            sites.append(
                Site(
                    node,
                    f"a `{found}` raised and caught inside a loop is far slower than a test when "
                    f"misses are common; {better} avoids the exception; not fixed: report-only "
                    "(which is faster depends on how often it misses)",
                    False,
                )
            )
    return sites


# -- loop-invariant-call --------------------------------------------------------------------


def loop_invariant_call(scope: Scope) -> list[Site]:
    sites = []
    loops = _Loops(scope)
    facts = scope.facts
    for call in scope.of(cst.Call):
        assert isinstance(call, cst.Call)
        func = call.func
        if isinstance(func, cst.Name):
            if func.value not in _HOISTABLE or not facts.builtin(func.value):
                continue
        elif isinstance(func, cst.Attribute):
            if not (
                isinstance(func.value, cst.SimpleString | cst.ConcatenatedString)
                and func.attr.value in _STR_METHODS
            ):
                continue
        else:
            continue
        if not call.args or any(a.star for a in call.args):
            continue
        loop = loops.innermost(call)
        if loop is None or (_is_statement_iter(scope, call) and isinstance(loop, cst.For)):
            continue
        if not all(loops.invariant_expression(loop, a.value) for a in call.args):
            continue
        shown = short(scope, call, 30)
        sites.append(
            Site(
                call,
                f"`{shown}` gives the same result on every iteration (the loop changes none of "
                "its inputs); compute it once before the loop; not fixed: report-only (hoisting "
                "moves the work, and any error, to before the loop)",
                False,
            )
        )
    return sites


# -- loop-invariant-attribute ---------------------------------------------------------------


def _chain(node: cst.Attribute) -> tuple[str, int] | None:
    """``(base name, depth)`` for ``base.a.b...``."""
    depth = 0
    current: cst.BaseExpression = node
    while isinstance(current, cst.Attribute):
        depth += 1
        current = current.value
    return (current.value, depth) if isinstance(current, cst.Name) else None


def _stores_attributes(region: list[cst.CSTNode]) -> bool:
    for node in region:
        targets = store_targets(node)
        if any(isinstance(n, cst.Attribute) for t in targets for n in walk(t)):
            return True
    return False


def loop_invariant_attribute(scope: Scope) -> list[Site]:
    sites = []
    loops = _Loops(scope)
    tree = scope.tree
    info = scope.info
    seen: set[tuple[int, str]] = set()
    for node in scope.of(cst.Attribute):
        assert isinstance(node, cst.Attribute)
        parent = tree.parent(node)
        if isinstance(parent, cst.Attribute) and parent.value is node:
            continue  # only whole chains
        chain = node
        if (
            isinstance(parent, cst.Call)
            and parent.func is node
            and isinstance(node.value, cst.Attribute)
        ):
            chain = node.value  # `a.b.c.method(...)`: the receiver chain is what repeats
        found = _chain(chain)
        if found is None or found[1] < 2:
            continue
        base, _ = found
        if base in info.module_imports and scope.facts.free_global(base):
            continue  # dotted-import-in-loop's
        loop = loops.innermost(node)
        if loop is None:
            continue
        if isinstance(parent, cst.AssignTarget) or not loops.invariant(loop, base):
            continue
        if _stores_attributes(loops.region(loop)):
            continue
        text = scope.code(chain)
        if (id(loop), text) in seen:
            continue
        seen.add((id(loop), text))
        sites.append(
            Site(
                chain,
                f"`{short(scope, chain, 30)}` walks the same attribute chain on every iteration; "
                "read it once into a local before the loop; not fixed: report-only (an attribute "
                "read can run code, and the loop's calls may change it)",
                False,
            )
        )
    return sites


# -- global-in-loop -------------------------------------------------------------------------


def global_in_loop(scope: Scope) -> list[Site]:
    if not scope.is_function:
        return []
    sites = []
    loops = _Loops(scope)
    info = scope.info
    facts = scope.facts
    for node in scope.of(cst.Subscript):
        assert isinstance(node, cst.Subscript)
        owner = node.value
        if not (
            isinstance(owner, cst.Name)
            and len(node.slice) == 1
            and isinstance(node.slice[0].slice, cst.Index)
            and hashable_constant(node.slice[0].slice.value)
            and facts.free_global(owner.value)
        ):
            continue
        bindings = info.bindings.get(owner.value, [])
        if not bindings or not all(b.kind in ("assign", "annassign") for b in bindings):
            continue
        loop = loops.innermost(node)
        if loop is None or isinstance(scope.tree.parent(node), cst.AssignTarget | cst.Del):
            continue
        sites.append(
            Site(
                node,
                f"`{short(scope, node, 30)}` looks up the global `{owner.value}` and then a key on "
                "every iteration; copy the value into a local before the loop; not fixed: "
                "report-only (the global might change while the loop runs)",
                False,
            )
        )
    return sites


# -- dotted-import-in-loop ------------------------------------------------------------------


def dotted_import_in_loop(scope: Scope) -> list[Site]:
    if not scope.is_function:
        return []
    sites = []
    loops = _Loops(scope)
    tree = scope.tree
    seen: set[tuple[int, str]] = set()
    for node in scope.of(cst.Attribute):
        assert isinstance(node, cst.Attribute)
        parent = tree.parent(node)
        if isinstance(parent, cst.Attribute) and parent.value is node:
            continue
        found = _chain(node)
        if found is None or found[1] < 2:
            continue
        base = found[0]
        if not (base in scope.info.module_imports and scope.facts.free_global(base)):
            continue
        loop = loops.innermost(node)
        if loop is None:
            continue
        text = scope.code(node)
        if (id(loop), text) in seen:
            continue
        seen.add((id(loop), text))
        sites.append(
            Site(
                node,
                f"`{short(scope, node, 30)}` looks up a module and {found[1]} attributes on every "
                f"iteration; `from ... import {node.attr.value}` (or a local alias) loads it once; "
                "not fixed: report-only",
                False,
            )
        )
    return sites


# -- bytes-slice-in-loop --------------------------------------------------------------------


def bytes_slice_in_loop(scope: Scope) -> list[Site]:
    sites = []
    facts = scope.facts
    for node in scope.of(cst.Subscript):
        assert isinstance(node, cst.Subscript)
        if not (
            len(node.slice) == 1
            and isinstance(node.slice[0].slice, cst.Slice)
            and scope.in_loop(node)
            and facts.type_of(node.value) == BYTES
        ):
            continue
        sites.append(
            Site(
                node,
                f"`{short(scope, node, 30)}` copies a slice of bytes on every iteration; slicing a "
                "`memoryview` of it does not copy; not fixed: report-only (a memoryview slice is "
                "not bytes)",
                False,
            )
        )
    return sites


# -- copy-in-loop ---------------------------------------------------------------------------


def _copy_of(scope: Scope, node: cst.CSTNode) -> str | None:
    """The copied name for ``list(x)`` and friends, ``x[:]`` and ``x.copy()``."""
    if (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Name)
        and node.func.value in _COPIERS
        and len(node.args) == 1
        and node.args[0].keyword is None
        and not node.args[0].star
        and isinstance(node.args[0].value, cst.Name)
        and scope.facts.builtin(node.func.value)
    ):
        return node.args[0].value.value
    if (
        isinstance(node, cst.Call)
        and not node.args
        and isinstance(node.func, cst.Attribute)
        and node.func.attr.value == "copy"
        and isinstance(node.func.value, cst.Name)
    ):
        return node.func.value.value
    if (
        isinstance(node, cst.Subscript)
        and isinstance(node.value, cst.Name)
        and len(node.slice) == 1
        and isinstance(node.slice[0].slice, cst.Slice)
        and node.slice[0].slice.lower is None
        and node.slice[0].slice.upper is None
        and node.slice[0].slice.step is None
    ):
        return node.value.value
    return None


def _read_only_use(scope: Scope, node: cst.CSTNode) -> bool:
    """True when the value of ``node`` is only read where it is used."""
    tree = scope.tree
    parent = tree.parent(node)
    if isinstance(parent, cst.ComparisonTarget | cst.CompFor):
        return True
    if isinstance(parent, cst.For) and parent.iter is node:
        return True
    if isinstance(parent, cst.Subscript) and parent.value is node:
        return True
    if isinstance(parent, cst.Arg):
        call = tree.parent(parent)
        return (
            isinstance(call, cst.Call)
            and isinstance(call.func, cst.Name)
            and call.func.value
            in ("len", "sum", "min", "max", "sorted", "any", "all", "set", "frozenset", "tuple")
            and scope.facts.builtin(call.func.value)
        )
    if isinstance(parent, cst.Assign) and len(parent.targets) == 1:
        target = parent.targets[0].target
        if isinstance(target, cst.Name) and _only_assigned_once(scope, target.value):
            body = scope.node.body if isinstance(scope.node, cst.FunctionDef) else scope.node
            others = [n for n in walk(body) if n is not target]
            return changes(scope, others, target.value, None, through_others=False) is None
    return False


def _only_assigned_once(scope: Scope, name: str) -> bool:
    bindings = scope.facts.bindings.get(name, [])
    return len(bindings) == 1 and bindings[0].kind == "assign"


def copy_in_loop(scope: Scope) -> list[Site]:
    sites = []
    loops = _Loops(scope)
    for node in scope.of(cst.Call, cst.Subscript):
        name = _copy_of(scope, node)
        if name is None:
            continue
        loop = loops.innermost(node)
        if loop is None or (isinstance(loop, cst.For) and _is_statement_iter(scope, node)):
            continue  # `for x in list(y)` is unnecessary-list-cast's
        if not loops.invariant(loop, name) or not _read_only_use(scope, node):
            continue
        sites.append(
            Site(
                node,
                f"`{short(scope, node, 30)}` copies `{name}` on every iteration although the loop "
                f"changes neither `{name}` nor the copy; copy once before the loop, or read "
                f"`{name}` directly; not fixed: report-only",
                False,
            )
        )
    return sites


LOOP_REPORTS: dict[str, Analyzer] = {
    "try_except_in_loop": try_except_in_loop,
    "exception_as_control_flow": exception_as_control_flow,
    "loop_invariant_call": loop_invariant_call,
    "loop_invariant_attribute": loop_invariant_attribute,
    "global_in_loop": global_in_loop,
    "dotted_import_in_loop": dotted_import_in_loop,
    "bytes_slice_in_loop": bytes_slice_in_loop,
    "copy_in_loop": copy_in_loop,
}
