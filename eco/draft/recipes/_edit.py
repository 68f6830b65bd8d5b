"""The shared machinery of recipes: sites, edits on a libcst tree, imports, patches.

Every anti-pattern module exposes one *analyzer* with the signature ``(Scope) -> list[Site]``.
The analyzer finds each occurrence in one scope, decides whether its preconditions hold there
(``fixable``) and, when they do, carries a ``plan`` that registers the rewrite in an `Edit`.
Detection and fixing share that one analysis, so `detect` never calls "fixable" what a recipe
would refuse, and a recipe never rewrites what detection could not justify.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field

import libcst as cst

from eco.draft.scope import Scope, Tree, walk

__all__ = ["Analyzer", "Edit", "Plan", "Recipe", "Site", "add_import", "unified_patch"]

Replacer = Callable[[cst.CSTNode], cst.CSTNode | cst.RemovalSentinel]
Plan = Callable[["Edit"], None]


@dataclass
class Site:
    """One occurrence of an anti-pattern in a scope."""

    #: The node whose first line is reported.
    node: cst.CSTNode
    #: What was found; when not fixable, also why eco will not rewrite it.
    message: str
    fixable: bool
    #: Registers the rewrite; present exactly when ``fixable``.
    plan: Plan | None = None


Analyzer = Callable[[Scope], list[Site]]


@dataclass(frozen=True)
class Recipe:
    """A fix: the analyzer that finds fixable sites, and what to tell the reviewer."""

    name: str
    analyze: Analyzer
    rationale: str


@dataclass
class Edit:
    """Rewrites planned against one tree, applied in one pass."""

    tree: Tree
    replace: dict[int, Replacer] = field(default_factory=dict)
    before: dict[int, list[cst.BaseStatement]] = field(default_factory=dict)
    after: dict[int, list[cst.BaseStatement]] = field(default_factory=dict)
    #: ``(module, None)`` for ``import module``; ``(module, name)`` for ``from module import name``.
    imports: list[tuple[str, str | None]] = field(default_factory=list)
    taken: set[str] = field(default_factory=set)
    #: Plan-level memo (e.g. one compiled pattern per statement and pattern).
    memo: dict[object, str] = field(default_factory=dict)
    _used: set[str] | None = field(default=None, repr=False)

    def fresh(self, base: str) -> str:
        """A name not used anywhere in the module nor already handed out."""
        if self._used is None:
            self._used = {n.value for n in walk(self.tree.module) if isinstance(n, cst.Name)}
        candidate, counter = base, 2
        while candidate in self._used or candidate in self.taken:
            candidate, counter = f"{base}{counter}", counter + 1
        self.taken.add(candidate)
        return candidate

    def replace_node(self, node: cst.CSTNode, replacer: Replacer) -> None:
        previous = self.replace.get(id(node))
        if previous is None:
            self.replace[id(node)] = replacer
        else:

            def chained(updated: cst.CSTNode) -> cst.CSTNode | cst.RemovalSentinel:
                first = previous(updated)
                return first if isinstance(first, cst.RemovalSentinel) else replacer(first)

            self.replace[id(node)] = chained

    def insert_before(self, statement: cst.BaseStatement, new: cst.BaseStatement) -> None:
        self.before.setdefault(id(statement), []).append(new)

    def insert_after(self, statement: cst.BaseStatement, new: cst.BaseStatement) -> None:
        self.after.setdefault(id(statement), []).append(new)

    def need_import(self, module: str, name: str | None = None) -> None:
        if (module, name) not in self.imports:
            self.imports.append((module, name))

    def apply(self) -> cst.Module:
        updated = self.tree.module.visit(_Apply(self.replace, self.before, self.after))
        for module, name in self.imports:
            updated = add_import(updated, module, name)
        return updated


class _Apply(cst.CSTTransformer):
    def __init__(
        self,
        replace: dict[int, Replacer],
        before: dict[int, list[cst.BaseStatement]],
        after: dict[int, list[cst.BaseStatement]],
    ) -> None:
        super().__init__()
        self._replace = replace
        self._before = before
        self._after = after

    # libcst types on_leave generically per node type; this one transformer handles all.
    def on_leave(  # type: ignore[override]
        self, original_node: cst.CSTNode, updated_node: cst.CSTNode
    ) -> cst.CSTNode | cst.RemovalSentinel | cst.FlattenSentinel[cst.CSTNode]:
        key = id(original_node)
        result: cst.CSTNode | cst.RemovalSentinel = updated_node
        replacer = self._replace.get(key)
        if replacer is not None:
            result = replacer(updated_node)
        inserted = self._before.get(key)
        appended = self._after.get(key, [])
        if inserted:
            if isinstance(result, cst.RemovalSentinel):
                return cst.FlattenSentinel([*inserted, *appended])
            leading = getattr(result, "leading_lines", None)
            if leading and isinstance(result, cst.BaseStatement):
                # Blank lines and comments above the statement now sit above what goes
                # right before it, so the new line stays attached to the code it serves.
                inserted = [inserted[0].with_changes(leading_lines=leading), *inserted[1:]]
                result = result.with_changes(leading_lines=[])
            return cst.FlattenSentinel([*inserted, result, *appended])
        if appended:
            if isinstance(result, cst.RemovalSentinel):
                return cst.FlattenSentinel(appended)
            return cst.FlattenSentinel([result, *appended])
        return result


def _is_import(statement: cst.CSTNode) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and all(
        isinstance(small, cst.Import | cst.ImportFrom) for small in statement.body
    )


def _is_docstring(statement: cst.CSTNode) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, cst.SimpleString | cst.ConcatenatedString)
    )


def add_import(module: cst.Module, source: str, name: str | None) -> cst.Module:
    """``module`` with ``import source`` (or ``from source import name``) after its imports.

    The new line goes after the last import of the module's leading block of imports (after
    the docstring when there are none); nothing else in the file changes, except that a
    ``def``/``class`` right after a new import block gets the two blank lines PEP 8 wants.
    """
    text = f"import {source}\n" if name is None else f"from {source} import {name}\n"
    statement = cst.parse_statement(text)
    body = list(module.body)
    index = 0
    has_imports = False
    for position, existing in enumerate(body):
        if _is_import(existing):
            index, has_imports = position + 1, True
        elif position == 0 and _is_docstring(existing):
            index = 1
        else:
            break
    if not has_imports:
        if index == 1:
            statement = statement.with_changes(leading_lines=[cst.EmptyLine()])
        if index < len(body):
            following = body[index]
            if not any(line.comment is None for line in following.leading_lines):
                blank = 2 if isinstance(following, cst.FunctionDef | cst.ClassDef) else 1
                body[index] = following.with_changes(
                    leading_lines=[*([cst.EmptyLine()] * blank), *following.leading_lines]
                )
    body.insert(index, statement)
    return module.with_changes(body=body)


def _lines(text: str) -> list[str]:
    # Split on "\n" only: str.splitlines() also splits on \x0c, \u2028 and friends, which
    # git does not treat as line ends.
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def unified_patch(old: str, new: str, path: str) -> str:
    """A unified diff of one file that ``git apply`` accepts at the repository root."""
    out: list[str] = []
    for line in difflib.unified_diff(_lines(old), _lines(new), f"a/{path}", f"b/{path}"):
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)
