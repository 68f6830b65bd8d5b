"""A parsed module as the recipes see it: parents, scopes, and where names are bound.

`Tree` adds what libcst nodes lack (parents, the functions by eco's dotted qualnames) and
`Scope` is one function (or the module body) under analysis, with its `ModuleInfo` and,
lazily, its type `Facts`. Nothing here changes a tree.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import libcst as cst

from eco.errors import SourceError

if TYPE_CHECKING:
    from eco.draft.facts import Facts

__all__ = [
    "COMPREHENSIONS",
    "Binding",
    "ModuleInfo",
    "Scope",
    "Tree",
    "all_params",
    "children",
    "collect_bindings",
    "parse_module",
    "target_names",
    "walk",
    "walk_scope",
]

COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)
#: Decorators that compile the function (numba, torch.jit/compile, tf.function, cython...).
_COMPILER_DECORATOR = re.compile(
    r"\b(?:n?jit|jitclass|vectorize|guvectorize|cfunc|stencil|script|compile|function|cython|ccall)\b"
)


def parse_module(source: str, file: str) -> cst.Module:
    """Parse with libcst; a syntax error is a `SourceError` naming ``file:line``."""
    try:
        return cst.parse_module(source)
    except cst.ParserSyntaxError as exc:
        raise SourceError(f"{file}:{exc.raw_line}: syntax error: {exc.message}") from exc


# libcst computes `node.children` by running a visitor, which dominates the cost of every
# walk. Cache the children of the nodes of the latest `Tree` (the entry keeps the node alive,
# so an id is never reused while cached); a new Tree starts a new cache.
_children_cache: dict[int, tuple[cst.CSTNode, tuple[cst.CSTNode, ...]]] = {}


def children(node: cst.CSTNode) -> tuple[cst.CSTNode, ...]:
    """``node.children``, cached."""
    entry = _children_cache.get(id(node))
    if entry is not None and entry[0] is node:
        return entry[1]
    kids = tuple(node.children)
    _children_cache[id(node)] = (node, kids)
    return kids


def walk(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """Every node under ``node`` (itself included), crossing every scope."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(children(current)))


def walk_scope(root: cst.CSTNode, *, into_classes: bool = False) -> Iterator[cst.CSTNode]:
    """Nodes executed in ``root``'s own scope: nested ``def`` and ``lambda`` bodies are skipped
    (the nested node itself is yielded), class bodies only when ``into_classes``."""
    if isinstance(root, cst.FunctionDef):
        start: list[cst.CSTNode] = [root.body]
    elif isinstance(root, cst.Module):
        start = list(root.body)
    else:
        start = [root]
    stack = list(reversed(start))
    while stack:
        current = stack.pop()
        yield current
        if isinstance(current, cst.FunctionDef | cst.Lambda):
            continue
        if isinstance(current, cst.ClassDef) and not into_classes:
            continue
        stack.extend(reversed(children(current)))


class Tree:
    """A parsed module with a parent map and the functions it defines, named as eco names them."""

    def __init__(self, module: cst.Module) -> None:
        self.module = module
        _children_cache.clear()
        self._parent: dict[int, cst.CSTNode] = {}
        for node in walk(module):
            for child in children(node):
                self._parent[id(child)] = node
        self.functions: list[tuple[str, cst.FunctionDef]] = []
        self._collect(module, ())

    def _collect(self, node: cst.CSTNode, scope: tuple[str, ...]) -> None:
        for child in children(node):
            if isinstance(child, cst.FunctionDef):
                qual = (*scope, child.name.value)
                self.functions.append((".".join(qual), child))
                self._collect(child.body, qual)
            elif isinstance(child, cst.ClassDef):
                self._collect(child.body, (*scope, child.name.value))
            elif isinstance(
                child,
                cst.BaseStatement
                | cst.BaseSuite
                | cst.BaseCompoundStatement
                | cst.Else
                | cst.ExceptHandler
                | cst.ExceptStarHandler
                | cst.Finally
                | cst.MatchCase,
            ):
                self._collect(child, scope)

    def parent(self, node: cst.CSTNode) -> cst.CSTNode | None:
        return self._parent.get(id(node))

    def ancestors(self, node: cst.CSTNode) -> Iterator[cst.CSTNode]:
        current = self.parent(node)
        while current is not None:
            yield current
            current = self.parent(current)

    def code(self, node: cst.CSTNode) -> str:
        return self.module.code_for_node(node)

    def find_function(self, qualname: str) -> cst.FunctionDef | None:
        """The function with this dotted qualname; the last wins, as Python's binding does."""
        wanted = ".".join(p for p in qualname.split(".") if p != "<locals>")
        found = None
        for qual, fn in self.functions:
            if qual == wanted:
                found = fn
        return found

    def qualname_of(self, fn: cst.FunctionDef) -> str:
        for qual, candidate in self.functions:
            if candidate is fn:
                return qual
        raise KeyError(fn.name.value)

    def enclosing_functions(self, node: cst.CSTNode) -> list[cst.FunctionDef]:
        return [a for a in self.ancestors(node) if isinstance(a, cst.FunctionDef)]

    def statement_of(self, node: cst.CSTNode) -> cst.BaseStatement | None:
        """The nearest statement that holds ``node`` and sits in an indented block or module body."""
        current: cst.CSTNode | None = node
        while current is not None:
            parent = self.parent(current)
            if isinstance(current, cst.BaseStatement) and isinstance(
                parent, cst.IndentedBlock | cst.Module
            ):
                return current
            current = parent
        return None

    def loop_ancestors(self, node: cst.CSTNode, stop: cst.CSTNode) -> list[cst.CSTNode]:
        """Loops that run ``node`` repeatedly, innermost first, up to ``stop``: For/While
        statements and comprehensions. A ``for``'s iterable (a comprehension's outermost
        iterable) is evaluated once, so a loop does not count for nodes inside it."""
        found: list[cst.CSTNode] = []
        previous: cst.CSTNode = node
        for ancestor in self.ancestors(node):
            if ancestor is stop:
                break
            if isinstance(ancestor, cst.For):
                if previous is not ancestor.iter and previous is not ancestor.target:
                    found.append(ancestor)
            elif isinstance(ancestor, cst.While):
                found.append(ancestor)
            elif isinstance(ancestor, COMPREHENSIONS):
                first = ancestor.for_in
                if not (previous is first and self._within(node, first.iter)):
                    found.append(ancestor)
            previous = ancestor
        return found

    def _within(self, node: cst.CSTNode, container: cst.CSTNode) -> bool:
        return node is container or any(a is container for a in self.ancestors(node))

    def in_try_or_with(self, node: cst.CSTNode, stop: cst.CSTNode) -> bool:
        for ancestor in self.ancestors(node):
            if ancestor is stop:
                return False
            if isinstance(ancestor, cst.Try | cst.TryStar | cst.With):
                return True
        return False


@dataclass(frozen=True)
class Binding:
    """One place a name is bound."""

    name: str
    #: param, assign, annassign, augassign, for, unpack, with, except, import, def, class,
    #: walrus, del, match.
    kind: str
    node: cst.CSTNode
    #: For ``param``: the annotation; for ``assign``/``walrus``/``annassign``: the value.
    value: cst.BaseExpression | None = None
    annotation: cst.BaseExpression | None = None


def target_names(target: cst.BaseExpression) -> Iterator[cst.Name]:
    """The names an assignment or loop target binds."""
    if isinstance(target, cst.Name):
        yield target
    elif isinstance(target, cst.Tuple | cst.List):
        for element in target.elements:
            yield from target_names(element.value)
    elif isinstance(target, cst.StarredElement):
        yield from target_names(target.value)


_BINDING_NODES = frozenset(
    {
        cst.Assign,
        cst.AnnAssign,
        cst.AugAssign,
        cst.For,
        cst.WithItem,
        cst.ExceptHandler,
        cst.ExceptStarHandler,
        cst.Import,
        cst.ImportFrom,
        cst.FunctionDef,
        cst.ClassDef,
        cst.NamedExpr,
        cst.Del,
        cst.MatchAs,
        cst.MatchStar,
        cst.MatchMapping,
        cst.Global,
        cst.Nonlocal,
    }
)


def collect_bindings(nodes: Iterator[cst.CSTNode]) -> tuple[dict[str, list[Binding]], set[str]]:
    """Bindings made by these nodes (one scope's worth, from `walk_scope`), and the names
    declared ``global`` / ``nonlocal`` there."""
    found: dict[str, list[Binding]] = {}
    declared: set[str] = set()

    def add(
        name: str,
        kind: str,
        node: cst.CSTNode,
        value: cst.BaseExpression | None = None,
        annotation: cst.BaseExpression | None = None,
    ) -> None:
        found.setdefault(name, []).append(Binding(name, kind, node, value, annotation))

    for node in nodes:
        if type(node) not in _BINDING_NODES:
            continue  # fast path: most nodes bind nothing
        if isinstance(node, cst.Assign):
            for target in node.targets:
                if isinstance(target.target, cst.Name):
                    add(target.target.value, "assign", node, node.value)
                else:
                    for name in target_names(target.target):
                        add(name.value, "unpack", node)
        elif isinstance(node, cst.AnnAssign) and isinstance(node.target, cst.Name):
            add(node.target.value, "annassign", node, node.value, node.annotation.annotation)
        elif isinstance(node, cst.AugAssign) and isinstance(node.target, cst.Name):
            add(node.target.value, "augassign", node, node.value)
        elif isinstance(node, cst.For):
            for name in target_names(node.target):
                add(name.value, "for", node)
        elif isinstance(node, cst.WithItem) and node.asname is not None:
            for name in target_names(node.asname.name):
                add(name.value, "with", node)
        elif isinstance(node, cst.ExceptHandler | cst.ExceptStarHandler) and node.name is not None:
            if isinstance(node.name.name, cst.Name):
                add(node.name.name.value, "except", node)
        elif isinstance(node, cst.Import | cst.ImportFrom):
            if isinstance(node.names, cst.ImportStar):
                add("*", "import", node)
                continue
            for alias in node.names:
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    add(alias.asname.name.value, "import", node)
                else:
                    head: cst.BaseExpression = alias.name
                    while isinstance(head, cst.Attribute):
                        head = head.value
                    if isinstance(head, cst.Name):
                        add(head.value, "import", node)
        elif isinstance(node, cst.FunctionDef):
            add(node.name.value, "def", node)
        elif isinstance(node, cst.ClassDef):
            add(node.name.value, "class", node)
        elif isinstance(node, cst.NamedExpr) and isinstance(node.target, cst.Name):
            add(node.target.value, "walrus", node, node.value)
        elif isinstance(node, cst.Del):
            for name in target_names(node.target):
                add(name.value, "del", node)
        elif isinstance(node, cst.MatchAs | cst.MatchStar) and node.name is not None:
            add(node.name.value, "match", node)
        elif isinstance(node, cst.MatchMapping) and node.rest is not None:
            add(node.rest.value, "match", node)
        elif isinstance(node, cst.Global | cst.Nonlocal):
            declared.update(item.name.value for item in node.names)
    # Comprehension targets (CompFor) are local to the comprehension and never reach here;
    # a walrus inside a comprehension binds in this scope and does.
    return found, declared


class ModuleInfo:
    """Module-level facts: what is bound, what is imported, which names are constants."""

    def __init__(self, module: cst.Module) -> None:
        self.bindings, declared = collect_bindings(walk_scope(module))
        self.star_import = "*" in self.bindings
        # A `global x` inside any function can rebind x at module level.
        self.globals_declared: set[str] = set(declared)
        for node in walk(module):
            if isinstance(node, cst.Global):
                self.globals_declared.update(item.name.value for item in node.names)
        #: ``local name -> dotted module`` for top-level ``import x`` / ``import x as y``.
        self.module_imports: dict[str, str] = {}
        #: ``local name -> (module, name)`` for top-level ``from m import n [as y]``.
        self.from_imports: dict[str, tuple[str, str]] = {}
        for statement in module.body:
            if not isinstance(statement, cst.SimpleStatementLine):
                continue
            for small in statement.body:
                if isinstance(small, cst.Import):
                    for alias in small.names:
                        dotted = _dotted(alias.name)
                        if dotted is None:
                            continue
                        if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                            self.module_imports[alias.asname.name.value] = dotted
                        elif "." not in dotted:
                            self.module_imports[dotted] = dotted
                elif (
                    isinstance(small, cst.ImportFrom)
                    and small.relative == ()
                    and small.module is not None
                    and not isinstance(small.names, cst.ImportStar)
                ):
                    source = _dotted(small.module)
                    if source is None:
                        continue
                    for alias in small.names:
                        if not isinstance(alias.name, cst.Name):
                            continue
                        local = alias.name.value
                        if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                            local = alias.asname.name.value
                        self.from_imports[local] = (source, alias.name.value)

    def bound(self, name: str) -> bool:
        return name in self.bindings or name in self.globals_declared

    def imports_module(self, local: str, module: str) -> bool:
        """True when ``local`` is bound exactly once, by a top-level ``import module``."""
        return (
            self.module_imports.get(local) == module
            and len(self.bindings.get(local, [])) == 1
            and local not in self.globals_declared
        )

    def imports_name(self, local: str, module: str, name: str) -> bool:
        """True when ``local`` is bound exactly once, by a top-level ``from module import name``."""
        return (
            self.from_imports.get(local) == (module, name)
            and len(self.bindings.get(local, [])) == 1
            and local not in self.globals_declared
        )

    def constant(self, name: str) -> bool:
        """True when ``name`` is bound once at module level, to an immutable literal."""
        bindings = self.bindings.get(name, [])
        return (
            len(bindings) == 1
            and bindings[0].kind in ("assign", "annassign")
            and name not in self.globals_declared
            and bindings[0].value is not None
            and _immutable_literal(bindings[0].value)
        )


def _immutable_literal(node: cst.BaseExpression) -> bool:
    if isinstance(node, cst.SimpleString | cst.Integer | cst.Float | cst.Imaginary):
        return True
    if isinstance(node, cst.ConcatenatedString):
        return _immutable_literal(node.left) and _immutable_literal(node.right)
    if isinstance(node, cst.Name):
        return node.value in ("True", "False", "None")
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        return isinstance(node.expression, cst.Integer | cst.Float)
    if isinstance(node, cst.Tuple):
        return all(
            isinstance(e, cst.Element) and _immutable_literal(e.value) for e in node.elements
        )
    return False


def _dotted(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        head = _dotted(node.value)
        return None if head is None else f"{head}.{node.attr.value}"
    return None


@dataclass
class Scope:
    """One function (or the module body) being analysed, with everything a detector needs."""

    tree: Tree
    node: cst.FunctionDef | cst.Module
    #: Dotted qualname of the function, ``""`` for the module.
    qualname: str
    info: ModuleInfo
    _facts: Facts | None = field(default=None, repr=False)
    _nodes: list[cst.CSTNode] | None = field(default=None, repr=False)
    _by_type: dict[type, list[cst.CSTNode]] | None = field(default=None, repr=False)

    @property
    def is_function(self) -> bool:
        return isinstance(self.node, cst.FunctionDef)

    @property
    def compiled_by(self) -> str | None:
        """The decorator (of the function or an enclosing class) that hands the code to a
        compiler such as numba or torch.jit, which may not accept what a recipe writes."""
        holders: list[cst.FunctionDef | cst.ClassDef] = []
        if isinstance(self.node, cst.FunctionDef):
            holders.append(self.node)
        holders += [
            a
            for a in self.tree.ancestors(self.node)
            if isinstance(a, cst.FunctionDef | cst.ClassDef)
        ]
        for holder in holders:
            for decorator in holder.decorators:
                text = " ".join(self.tree.code(decorator.decorator).split())
                if _COMPILER_DECORATOR.search(text):
                    return text
        return None

    @property
    def facts(self) -> Facts:
        if self._facts is None:
            from eco.draft.facts import Facts  # facts builds on this module

            self._facts = Facts(self)
        return self._facts

    def nodes(self) -> list[cst.CSTNode]:
        """Nodes run in this scope, in source order: a function's body without nested functions
        and classes; the module's body with class bodies but without functions."""
        if self._nodes is None:
            self._nodes = list(walk_scope(self.node, into_classes=not self.is_function))
        return self._nodes

    def of(self, *types: type[cst.CSTNode]) -> list[cst.CSTNode]:
        """`nodes` of exactly these (concrete) node types, in source order."""
        if self._by_type is None:
            self._by_type = {}
            for node in self.nodes():
                self._by_type.setdefault(type(node), []).append(node)
        if len(types) == 1:
            return self._by_type.get(types[0], [])
        wanted = set(types)
        return [n for n in self.nodes() if type(n) in wanted]

    def in_loop(self, node: cst.CSTNode) -> bool:
        return bool(self.tree.loop_ancestors(node, self.node))

    def code(self, node: cst.CSTNode) -> str:
        return self.tree.code(node)


def all_params(params: cst.Parameters) -> list[cst.Param]:
    """Every parameter, ``*args`` and ``**kwargs`` included."""
    found = [*params.posonly_params, *params.params, *params.kwonly_params]
    if isinstance(params.star_arg, cst.Param):
        found.append(params.star_arg)
    if params.star_kwarg is not None:
        found.append(params.star_kwarg)
    return found
