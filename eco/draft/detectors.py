"""Detectors: find every catalog anti-pattern in a module, fixable or not.

A detector has the signature ``(Scope) -> list[Site]`` (see `eco.draft.recipes._edit`): it is
called once for the module body and once per function, and reports each occurrence with
whether eco's recipe may rewrite it and, when not, why. The detectors of fixable
anti-patterns are the recipes' own analyzers; the report-only ones live here.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from eco.catalog import Catalog
from eco.draft.facts import STR
from eco.draft.recipes import RECIPES, default_catalog
from eco.draft.recipes._common import short
from eco.draft.recipes._edit import Analyzer, Site
from eco.draft.scope import ModuleInfo, Scope, Tree, parse_module

__all__ = ["DETECTORS", "Finding", "detect"]


@dataclass(frozen=True)
class Finding:
    """One anti-pattern occurrence in a file."""

    #: Catalog id.
    id: str
    #: The file, as given to `detect`.
    file: str
    #: 1-based line of the occurrence.
    line: int
    #: Dotted qualname of the enclosing function, ``""`` at module level.
    qualname: str
    #: True when eco's recipe would rewrite this occurrence.
    fixable: bool
    #: What was found and, when not fixable, why not.
    message: str


def _sorted_then_index(scope: Scope) -> list[Site]:
    sites = []
    for node in scope.of(cst.Subscript):
        if not (
            isinstance(node, cst.Subscript)
            and isinstance(node.value, cst.Call)
            and isinstance(node.value.func, cst.Name)
            and node.value.func.value == "sorted"
            and scope.facts.builtin("sorted")
            and len(node.slice) == 1
            and isinstance(node.slice[0].slice, cst.Index)
        ):
            continue
        index = scope.code(node.slice[0].slice.value).strip()
        if index in ("0", "-1"):
            wanted = "min" if index == "0" else "max"
            sites.append(
                Site(
                    node,
                    f"`sorted(...)[{index}]` sorts everything to take one element; "
                    f"`{wanted}(...)` is O(n); not fixed: report-only (ties, key= and "
                    "reverse= make the choice of element subtle)",
                    False,
                )
            )
    return sites


def _string_concat_in_loop(scope: Scope) -> list[Site]:
    sites = []
    facts = scope.facts
    for node in scope.of(cst.AugAssign):
        if not (
            isinstance(node, cst.AugAssign)
            and isinstance(node.operator, cst.AddAssign)
            and isinstance(node.target, cst.Name)
            and scope.in_loop(node)
        ):
            continue
        name = node.target.value
        # Report-only, so a looser test than the recipes': the name starts out as a str, or
        # what is added is one.
        starts_as_str = any(
            b.kind in ("assign", "param") and facts.binding_type(b) == STR
            for b in facts.bindings.get(name, [])
        )
        if starts_as_str or facts.type_of(node.value) == STR:
            sites.append(
                Site(
                    node,
                    f"`{name} += ...` in a loop may copy the string each time; collect the parts "
                    "in a list and `''.join()` them; not fixed: report-only",
                    False,
                )
            )
    return sites


def _try_except_in_loop(scope: Scope) -> list[Site]:
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


def _dict_keys_membership(scope: Scope) -> list[Site]:
    sites = []
    for node in scope.of(cst.ComparisonTarget):
        if not isinstance(node, cst.ComparisonTarget) or not isinstance(
            node.operator, cst.In | cst.NotIn
        ):
            continue
        call = node.comparator
        if (
            isinstance(call, cst.Call)
            and not call.args
            and isinstance(call.func, cst.Attribute)
            and call.func.attr.value == "keys"
        ):
            owner = short(scope, call.func.value, 20)
            sites.append(
                Site(
                    call,
                    f"`in {owner}.keys()` builds a keys view to test membership; "
                    f"`in {owner}` asks the mapping directly; not fixed: report-only",
                    False,
                )
            )
    return sites


def _unnecessary_list_cast(scope: Scope) -> list[Site]:
    sites = []
    for node in scope.of(cst.For):
        if (
            isinstance(node, cst.For)
            and isinstance(node.iter, cst.Call)
            and isinstance(node.iter.func, cst.Name)
            and node.iter.func.value == "list"
            and scope.facts.builtin("list")
            and len(node.iter.args) == 1
            and isinstance(node.iter.args[0].value, cst.Name | cst.Tuple)
        ):
            sites.append(
                Site(
                    node.iter,
                    "`for ... in list(x)` copies `x` before iterating; not fixed: "
                    "report-only (the copy matters when the loop mutates `x`)",
                    False,
                )
            )
    return sites


#: Every detector by the name the catalog uses.
DETECTORS: dict[str, Analyzer] = {
    **{name: recipe.analyze for name, recipe in RECIPES.items()},
    "sorted_then_index": _sorted_then_index,
    "string_concat_in_loop": _string_concat_in_loop,
    "try_except_in_loop": _try_except_in_loop,
    "dict_keys_membership": _dict_keys_membership,
    "unnecessary_list_cast": _unnecessary_list_cast,
}


def _blocked(scope: Scope, site: Site) -> Site:
    """The site, not fixable when its function is compiled by a decorator."""
    compiled = scope.compiled_by if site.fixable else None
    if compiled is None:
        return site
    message = f"{site.message}; not fixed: `@{compiled}` compiles the function, which may not accept the rewrite"
    return Site(site.node, message, False)


def detect(source: str, file: str = "<string>", catalog: Catalog | None = None) -> list[Finding]:
    """Every anti-pattern of the catalog found in a module's source, in line order.

    Args:
        source: The whole module's text.
        file: How findings name the file.
        catalog: The catalog to check against; the shipped one when ``None``.

    Raises:
        SourceError: The source is not valid Python.
    """
    catalog = default_catalog() if catalog is None else catalog
    module = parse_module(source, file)
    tree = Tree(module)
    info = ModuleInfo(module)
    scopes = [Scope(tree, module, "", info)]
    scopes += [Scope(tree, fn, qualname, info) for qualname, fn in tree.functions]
    found = [
        (entry, scope, _blocked(scope, site))
        for entry in catalog
        for scope in scopes
        for site in DETECTORS[entry.detector](scope)
    ]
    if not found:
        return []
    # Positions need a full code-generation pass: pay for it only when there is something to say.
    positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    findings = [
        Finding(
            id=entry.id,
            file=file,
            line=positions[site.node].start.line,
            qualname=scope.qualname,
            fixable=site.fixable and entry.fix is not None,
            message=site.message,
        )
        for entry, scope, site in found
    ]
    findings.sort(key=lambda f: (f.line, f.id))
    return findings
