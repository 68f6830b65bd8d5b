"""The rule-based drafter: catalog recipes applied with libcst to one target function.

Each recipe rewrites only the sites of the target function whose preconditions hold, keeps
everything else byte for byte, and may add one stdlib import after the module's imports.
"""

from __future__ import annotations

from functools import lru_cache

import libcst as cst

from eco.catalog import AntiPattern, Catalog, load_catalog
from eco.code.records import Target
from eco.draft.recipes._edit import Edit, Recipe, unified_patch
from eco.draft.recipes.anyall import ANY_ALL
from eco.draft.recipes.calls import BIT_COUNT, COMPREHENSION_COPY, LEN_OF_COPY, MAP_LAMBDA
from eco.draft.recipes.collect import LIST_COPY, SET_ADD
from eco.draft.recipes.comprehension import APPEND_LOOP
from eco.draft.recipes.concat import LIST_CONCAT, STRING_CONCAT
from eco.draft.recipes.counting import COUNTING
from eco.draft.recipes.dicts import DICT_ITEMS, DICT_KEYS_IN
from eco.draft.recipes.equality import REPEATED_EQUALITY
from eco.draft.recipes.fifo import LIST_INSERT_FRONT, LIST_POP_FRONT
from eco.draft.recipes.invariant import LOOP_INVARIANT_LEN, RANGE_LEN
from eco.draft.recipes.membership import LIST_LITERAL, LIST_PARAM
from eco.draft.recipes.memoize import MEMOIZE
from eco.draft.recipes.regex import REGEX_IN_LOOP
from eco.draft.records import Candidate
from eco.draft.scope import ModuleInfo, Scope, Tree, parse_module
from eco.errors import SourceError
from eco.pysource import find_function, parse_functions

__all__ = ["RECIPES", "apply_recipe", "default_catalog", "draft_recipes", "function_scope"]

#: Every recipe by the name the catalog's ``fix`` uses.
RECIPES: dict[str, Recipe] = {
    recipe.name: recipe
    for recipe in (
        LIST_LITERAL,
        LIST_POP_FRONT,
        ANY_ALL,
        REGEX_IN_LOOP,
        COUNTING,
        APPEND_LOOP,
        MEMOIZE,
        LIST_PARAM,
        DICT_ITEMS,
        DICT_KEYS_IN,
        COMPREHENSION_COPY,
        LEN_OF_COPY,
        MAP_LAMBDA,
        BIT_COUNT,
        LIST_INSERT_FRONT,
        LIST_COPY,
        SET_ADD,
        STRING_CONCAT,
        LIST_CONCAT,
        LOOP_INVARIANT_LEN,
        RANGE_LEN,
        REPEATED_EQUALITY,
    )
}


@lru_cache(maxsize=1)
def default_catalog() -> Catalog:
    """The shipped catalog, loaded once per process."""
    return load_catalog()


def function_scope(module: cst.Module, qualname: str) -> Scope | None:
    """The analysis scope of the function ``qualname`` in ``module``, or None when absent."""
    tree = Tree(module)
    fn = tree.find_function(qualname)
    if fn is None:
        return None
    return Scope(tree, fn, tree.qualname_of(fn), ModuleInfo(module))


def apply_recipe(recipe: Recipe, scope: Scope) -> cst.Module | None:
    """The scope's module with ``recipe`` applied to its function; None when nothing applies.

    The scope is only read, so one scope can serve every recipe in turn."""
    if scope.compiled_by is not None:
        return None
    plans = [site.plan for site in recipe.analyze(scope) if site.fixable and site.plan is not None]
    if not plans:
        return None
    edit = Edit(scope.tree)
    for plan in plans:
        plan(edit)
    return edit.apply()


def draft_recipes(target: Target, catalog: Catalog | None = None) -> list[Candidate]:
    """Candidates for ``target`` from every catalog recipe whose preconditions hold in it.

    The first candidate combines all applicable fixes (when more than one applies); one
    candidate per single fix follows. No candidate is returned when nothing applies.

    Raises:
        SourceError: The file does not parse, or does not define ``target.qualname``.
    """
    catalog = default_catalog() if catalog is None else catalog
    source = target.file_source
    scope = function_scope(parse_module(source, target.file), target.qualname)
    if scope is None:
        raise SourceError(f"{target.file}: function {target.qualname} not found")
    fixes = [(entry, RECIPES[entry.fix]) for entry in catalog if entry.fix is not None]

    singles: list[tuple[AntiPattern, Recipe, str]] = []
    for entry, recipe in fixes:
        new = apply_recipe(recipe, scope)
        if new is not None and new.code != source and _compiles(new.code, target.file):
            singles.append((entry, recipe, new.code))

    candidates: list[Candidate] = []
    if len(singles) > 1:
        current = source
        applied: list[AntiPattern] = []
        for entry, recipe, _ in singles:
            step = function_scope(cst.parse_module(current), target.qualname)
            new = apply_recipe(recipe, step) if step is not None else None
            if new is not None and new.code != current and _compiles(new.code, target.file):
                current = new.code
                applied.append(entry)
        if len(applied) > 1:
            titles = "; ".join(entry.title.rstrip(".") for entry in applied)
            rationale = f"Applies {len(applied)} independent rewrites together: {titles}."
            candidates.append(
                _candidate(target, current, "+".join(e.id for e in applied), rationale)
            )
    for entry, recipe, new_source in singles:
        candidates.append(_candidate(target, new_source, entry.id, recipe.rationale))
    return candidates


def _compiles(source: str, file: str) -> bool:
    # A recipe bug must cost a candidate, never produce a patch that does not even compile.
    try:
        compile(source, file, "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return False
    return True


def _candidate(target: Target, new_file_source: str, antipattern: str, rationale: str) -> Candidate:
    data = new_file_source.encode("utf-8")
    fn = find_function(parse_functions(data), target.qualname)
    new_source = data[fn.start_byte : fn.end_byte].decode("utf-8") if fn is not None else ""
    return Candidate(
        target=target,
        new_source=new_source,
        new_file_source=new_file_source,
        patch=unified_patch(target.file_source, new_file_source, target.file),
        drafter="recipes",
        antipattern=antipattern,
        rationale=rationale,
    )
