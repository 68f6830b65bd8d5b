"""Report-only detectors for builtin calls used the slow way: an extreme found by sorting, a
first element found by copying, lists summed into one, tuples unpacked only to call a function,
a constant list rebuilt on every call, and log messages formatted before the level is known."""

from __future__ import annotations

import libcst as cst

from eco.draft.recipes._common import (
    hashable_constant,
    in_nested_scope,
    is_load,
    name_references,
    short,
)
from eco.draft.recipes._edit import Analyzer, Site
from eco.draft.recipes.calls import list_cast, list_sorted
from eco.draft.recipes.collect import manual_dict_comprehension
from eco.draft.scope import Scope, walk

__all__ = ["CALL_REPORTS"]

_LOG_METHODS = frozenset(
    {"debug", "info", "warning", "warn", "error", "critical", "exception", "log"}
)


def _index(node: cst.Subscript) -> str | None:
    if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
        value = node.slice[0].slice.value
        if isinstance(value, cst.Integer):
            return value.value
        if (
            isinstance(value, cst.UnaryOperation)
            and isinstance(value.operator, cst.Minus)
            and isinstance(value.expression, cst.Integer)
        ):
            return "-" + value.expression.value
    return None


def _builtin_call(scope: Scope, node: cst.CSTNode, *names: str) -> bool:
    return (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Name)
        and node.func.value in names
        and scope.facts.builtin(node.func.value)
    )


# -- sorted-then-index ----------------------------------------------------------------------


def sorted_then_index(scope: Scope) -> list[Site]:
    sites = []
    for node in scope.of(cst.Subscript):
        assert isinstance(node, cst.Subscript)
        if not _builtin_call(scope, node.value, "sorted"):
            continue
        index = _index(node)
        if index in ("0", "-1"):
            wanted = "min" if index == "0" else "max"
            sites.append(
                Site(
                    node,
                    f"`sorted(...)[{index}]` sorts everything to take one element; "
                    f"`{wanted}(...)` is O(n); not fixed: report-only (an empty input raises "
                    "IndexError, not ValueError, and ties, key= and reverse= make the choice of "
                    "element subtle)",
                    False,
                )
            )
    return sites


# -- list-first-element ---------------------------------------------------------------------


def list_first_element(scope: Scope) -> list[Site]:
    sites = []
    for node in scope.of(cst.Subscript):
        assert isinstance(node, cst.Subscript)
        if _index(node) != "0":
            continue
        value = node.value
        copied = isinstance(value, cst.ListComp) or (
            _builtin_call(scope, value, "list", "tuple")
            and isinstance(value, cst.Call)
            and len(value.args) == 1
        )
        if not copied:
            continue
        sites.append(
            Site(
                node,
                f"`{short(scope, node, 30)}` builds the whole sequence to read its first element; "
                "`next(iter(...))` stops after one; not fixed: report-only (an empty input raises "
                "StopIteration instead of IndexError)",
                False,
            )
        )
    return sites


# -- quadratic-list-summation ---------------------------------------------------------------


def quadratic_list_summation(scope: Scope) -> list[Site]:
    sites = []
    for node in scope.of(cst.Call):
        if not _builtin_call(scope, node, "sum"):
            continue
        assert isinstance(node, cst.Call)
        start = None
        positional = [a for a in node.args if a.keyword is None and not a.star]
        if len(positional) == 2:
            start = positional[1].value
        for arg in node.args:
            if arg.keyword is not None and arg.keyword.value == "start":
                start = arg.value
        empty = isinstance(start, cst.List | cst.Tuple) and not start.elements
        if not empty:
            continue
        sites.append(
            Site(
                node,
                f"`{short(scope, node, 30)}` copies the growing result for every list it adds "
                "(quadratic); `list(itertools.chain.from_iterable(...))` or a comprehension is "
                "linear; not fixed: report-only (sum() also accepts elements that chain() would "
                "treat differently)",
                False,
            )
        )
    return sites


# -- comprehension-to-starmap ---------------------------------------------------------------


def comprehension_to_starmap(scope: Scope) -> list[Site]:
    sites = []
    for comp in scope.of(cst.ListComp, cst.GeneratorExp, cst.SetComp):
        assert isinstance(comp, cst.ListComp | cst.GeneratorExp | cst.SetComp)
        clause = comp.for_in
        target = clause.target
        elt = comp.elt
        if (
            clause.inner_for_in is not None
            or clause.ifs
            or not isinstance(target, cst.Tuple)
            or len(target.elements) < 2
            or not all(isinstance(e.value, cst.Name) for e in target.elements)
            or not isinstance(elt, cst.Call)
        ):
            continue
        names = [e.value.value for e in target.elements if isinstance(e.value, cst.Name)]
        args = elt.args
        if not (
            len(args) == len(names)
            and all(
                a.keyword is None
                and not a.star
                and isinstance(a.value, cst.Name)
                and a.value.value == n
                for a, n in zip(args, names, strict=True)
            )
            and not any(isinstance(n, cst.Name) and n.value in names for n in walk(elt.func))
        ):
            continue
        sites.append(
            Site(
                comp,
                f"`{short(scope, comp, 40)}` unpacks each tuple only to pass it on; "
                f"`itertools.starmap({short(scope, elt.func, 20)}, ...)` does it in C; not fixed: "
                "report-only",
                False,
            )
        )
    return sites


# -- tuple-over-list ------------------------------------------------------------------------


def tuple_over_list(scope: Scope) -> list[Site]:
    if not scope.is_function:
        return []
    sites = []
    facts = scope.facts
    tree = scope.tree
    for name, bindings in facts.bindings.items():
        if len(bindings) != 1 or bindings[0].kind != "assign" or name in facts.declared:
            continue
        value = bindings[0].value
        if not (
            isinstance(value, cst.List)
            and len(value.elements) >= 2
            and all(
                isinstance(e, cst.Element) and hashable_constant(e.value) for e in value.elements
            )
        ):
            continue
        if all(_reads_only(scope, use) for use in name_references(tree, scope.node, name)):
            sites.append(
                Site(
                    value,
                    f"`{name}` is a list of constants that is never changed; a tuple of constants "
                    "is built once by the compiler instead of on every call; not fixed: "
                    "report-only",
                    False,
                )
            )
    return sites


def _reads_only(scope: Scope, use: cst.Name) -> bool:
    tree = scope.tree
    if in_nested_scope(tree, use, scope.node):
        return False
    if not is_load(tree, use):
        return isinstance(tree.parent(use), cst.AssignTarget)
    parent = tree.parent(use)
    if isinstance(parent, cst.ComparisonTarget) and isinstance(parent.operator, cst.In | cst.NotIn):
        return True
    if isinstance(parent, cst.For | cst.CompFor) and parent.iter is use:
        return True
    if isinstance(parent, cst.Subscript) and parent.value is use:
        holder = tree.parent(parent)
        return not isinstance(holder, cst.AssignTarget | cst.Del | cst.AugAssign)
    if isinstance(parent, cst.Arg):
        call = tree.parent(parent)
        return (
            _builtin_call(scope, call, "len", "min", "max", "sum", "sorted", "any", "all")
            if call
            else False
        )
    return False


# -- logging-eager-format -------------------------------------------------------------------


def _formats(node: cst.BaseExpression) -> bool:
    if isinstance(node, cst.FormattedString):
        return any(isinstance(p, cst.FormattedStringExpression) for p in node.parts)
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Modulo):
        return isinstance(node.left, cst.SimpleString | cst.ConcatenatedString)
    if (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Attribute)
        and node.func.attr.value == "format"
    ):
        return isinstance(node.func.value, cst.SimpleString | cst.ConcatenatedString)
    return False


def _logger(scope: Scope, node: cst.BaseExpression) -> bool:
    if isinstance(node, cst.Name):
        if node.value == "logging":
            return scope.info.imports_module("logging", "logging")
        return "log" in node.value.lower()
    if isinstance(node, cst.Attribute):
        return "log" in node.attr.value.lower()
    return False


def logging_eager_format(scope: Scope) -> list[Site]:
    sites = []
    for node in scope.of(cst.Call):
        assert isinstance(node, cst.Call)
        func = node.func
        if not (
            isinstance(func, cst.Attribute)
            and func.attr.value in _LOG_METHODS
            and _logger(scope, func.value)
        ):
            continue
        positional = [a for a in node.args if a.keyword is None and not a.star]
        at = 1 if func.attr.value == "log" else 0
        if len(positional) <= at or not _formats(positional[at].value):
            continue
        sites.append(
            Site(
                node,
                "the log message is formatted before the logger knows whether the level is "
                "enabled; pass the arguments (`log.debug('%s', x)`) and let logging format only "
                "what it emits; not fixed: report-only",
                False,
            )
        )
    return sites


def _report_only(analyzer: Analyzer, reason: str) -> Analyzer:
    """``analyzer`` with every site it could fix reported instead: the rewrite is safe there,
    but too small a saving to measure reliably (the verifier would reject it)."""

    def report(scope: Scope) -> list[Site]:
        return [
            Site(site.node, f"{site.message}; not fixed: {reason}", False) if site.fixable else site
            for site in analyzer(scope)
        ]

    return report


CALL_REPORTS: dict[str, Analyzer] = {
    "list_call_around_sorted": _report_only(
        list_sorted,
        "the copy saved is small next to the sort (a few percent), below what the verifier "
        "can measure",
    ),
    "manual_dict_comprehension": _report_only(
        manual_dict_comprehension,
        "on CPython 3.11 the comprehension is only a few percent faster than the loop, below "
        "what the verifier can tell from noise",
    ),
    "unnecessary_list_cast": _report_only(
        list_cast,
        "the copy saved is small next to the loop body (a few percent), below what the "
        "verifier can measure",
    ),
    "sorted_then_index": sorted_then_index,
    "list_first_element": list_first_element,
    "quadratic_list_summation": quadratic_list_summation,
    "comprehension_to_starmap": comprehension_to_starmap,
    "tuple_over_list": tuple_over_list,
    "logging_eager_format": logging_eager_format,
}
