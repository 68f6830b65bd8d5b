"""Detectors: find every catalog anti-pattern in a module, fixable or not.

A detector has the signature ``(Scope) -> list[Site]`` (see `eco.draft.recipes._edit`): it is
called once for the module body and once per function, and reports each occurrence with
whether eco's recipe may rewrite it and, when not, why. The detectors of fixable
anti-patterns are the recipes' own analyzers; the report-only ones live in
`eco.draft.reports`.
"""

from __future__ import annotations

from dataclasses import dataclass

from eco.catalog import Catalog
from eco.draft.lines import start_lines
from eco.draft.recipes import RECIPES, default_catalog
from eco.draft.recipes._edit import Analyzer, Site
from eco.draft.reports import REPORTS
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


#: Every detector by the name the catalog uses: the recipes' own analyzers, then the
#: report-only ones.
DETECTORS: dict[str, Analyzer] = {
    **{name: recipe.analyze for name, recipe in RECIPES.items()},
    **REPORTS,
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
    # Lines come from Python's own parser, not a code-generation pass over the whole module.
    lines = start_lines(tree, source, [site.node for _, _, site in found])
    findings = [
        Finding(
            id=entry.id,
            file=file,
            line=lines[id(site.node)],
            qualname=scope.qualname,
            fixable=site.fixable and entry.fix is not None,
            message=site.message,
        )
        for entry, scope, site in found
    ]
    findings.sort(key=lambda f: (f.line, f.id))
    return findings
