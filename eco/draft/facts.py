"""What a recipe may rely on: a module's tree with parents, its scopes, and tiny type facts.

Everything here is deliberately conservative. A name's type is known only when *every*
binding of the name in the function gives the same small set of types (a parameter
annotation, a literal, a ``str`` method call, iteration over something known); anything
else is unknown, and a recipe that needs the type does not fire.

Types are strings: ``str``, ``bytes``, ``int``, ``float``, ``bool``, ``complex``, ``none``,
and ``iter:T`` for "an iterable whose elements are T" (from ``list[str]``-like annotations).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property

import libcst as cst

from eco.errors import SourceError

__all__ = [
    "BYTES",
    "FLOAT",
    "HASHABLE",
    "INT",
    "STR",
    "Binding",
    "Facts",
    "ModuleInfo",
    "Scope",
    "Tree",
    "Ty",
    "is_hashable",
    "parse_module",
    "target_names",
    "walk",
    "walk_scope",
]

#: A set of possible types; ``None`` means unknown.
Ty = frozenset[str] | None

HASHABLE = frozenset({"str", "bytes", "int", "float", "bool", "complex", "none"})
STR = frozenset({"str"})
BYTES = frozenset({"bytes"})
INT = frozenset({"int"})
FLOAT = frozenset({"float"})
_ATOM_ANNOTATIONS = {
    "str": "str",
    "bytes": "bytes",
    "int": "int",
    "float": "float",
    "bool": "bool",
    "complex": "complex",
}
#: Generic aliases whose single argument is the element type (``list[str]`` iterates str).
_ITERABLE_GENERICS = {
    "list": None,
    "set": None,
    "frozenset": None,  # builtins
    "List": "typing",
    "Set": "typing",
    "FrozenSet": "typing",
    "Sequence": "typing",
    "Iterable": "typing",
    "Collection": "typing",
    "AbstractSet": "typing",
    "MutableSequence": "typing",
    "Iterator": "typing",
}
_COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)
_STR_TO_STR = frozenset(
    {
        "lower",
        "upper",
        "strip",
        "lstrip",
        "rstrip",
        "casefold",
        "title",
        "capitalize",
        "swapcase",
        "replace",
        "zfill",
        "center",
        "ljust",
        "rjust",
        "removeprefix",
        "removesuffix",
        "expandtabs",
        "join",
        "format",
        "translate",
    }
)
_STR_TO_INT = frozenset({"count", "find", "rfind", "index", "rindex"})
_STR_TO_BOOL = frozenset(
    {
        "startswith",
        "endswith",
        "isdigit",
        "isalpha",
        "isalnum",
        "isspace",
        "islower",
        "isupper",
        "istitle",
        "isdecimal",
        "isnumeric",
        "isidentifier",
        "isascii",
        "isprintable",
    }
)
_SPLITTERS = frozenset({"split", "rsplit", "splitlines"})


def parse_module(source: str, file: str) -> cst.Module:
    """Parse with libcst; a syntax error is a `SourceError` naming ``file:line``."""
    try:
        return cst.parse_module(source)
    except cst.ParserSyntaxError as exc:
        raise SourceError(f"{file}:{exc.raw_line}: syntax error: {exc.message}") from exc


def is_hashable(ty: Ty) -> bool:
    """True when every possible type is a hashable scalar."""
    return ty is not None and bool(ty) and ty <= HASHABLE


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
            elif isinstance(ancestor, _COMPREHENSIONS):
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
    def facts(self) -> Facts:
        if self._facts is None:
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


class Facts:
    """Bindings and tiny type inference for one scope."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.tree = scope.tree
        self.info = scope.info
        self.bindings, self.declared = collect_bindings(iter(scope.nodes()))
        if isinstance(scope.node, cst.FunctionDef):
            for param in _all_params(scope.node.params):
                self.bindings.setdefault(param.name.value, []).insert(
                    0,
                    Binding(
                        param.name.value,
                        "param",
                        param,
                        None,
                        param.annotation.annotation if param.annotation else None,
                    ),
                )
        # A nested function that says `nonlocal x` can rebind our x behind our back.
        self.declared |= {
            item.name.value
            for node in walk(scope.node)
            if isinstance(node, cst.Nonlocal)
            for item in node.names
        }

    @cached_property
    def _outer_bound(self) -> set[str]:
        names: set[str] = set()
        for fn in self.tree.enclosing_functions(self.scope.node):
            bindings, _ = collect_bindings(walk_scope(fn))
            names.update(bindings)
            names.update(p.name.value for p in _all_params(fn.params))
        return names

    def is_local(self, name: str) -> bool:
        return name in self.bindings and name not in self.declared

    def builtin(self, name: str) -> bool:
        """True when ``name`` can only mean the builtin of that name here."""
        return not (
            name in self.bindings
            or name in self.declared
            or self.info.bound(name)
            or self.info.star_import
            or name in self._outer_bound
        )

    def free_global(self, name: str) -> bool:
        """True when ``name`` here means the module-level (or builtin) binding of that name."""
        return not (name in self.bindings or name in self.declared or name in self._outer_bound)

    def bound_only_as_param(self, name: str) -> cst.Param | None:
        """The parameter ``name`` when it is never rebound (nor deleted, nor declared) in the body."""
        bindings = self.bindings.get(name, [])
        if name in self.declared or len(bindings) != 1 or bindings[0].kind != "param":
            return None
        node = bindings[0].node
        return node if isinstance(node, cst.Param) else None

    # -- types -----------------------------------------------------------------------------

    def annotation_type(self, annotation: cst.BaseExpression | None) -> Ty:
        """The types an annotation allows, for the few annotations eco understands."""
        if annotation is None:
            return None
        if isinstance(annotation, cst.Name):
            if annotation.value == "None":
                return frozenset({"none"})
            atom = _ATOM_ANNOTATIONS.get(annotation.value)
            if (
                atom is not None
                and not self.info.bound(annotation.value)
                and not self.info.star_import
            ):
                return frozenset({atom})
            return None
        if isinstance(annotation, cst.BinaryOperation) and isinstance(
            annotation.operator, cst.BitOr
        ):
            left = self.annotation_type(annotation.left)
            right = self.annotation_type(annotation.right)
            return None if left is None or right is None else left | right
        if isinstance(annotation, cst.Subscript) and isinstance(annotation.value, cst.Name):
            generic = annotation.value.value
            args = [s.slice.value for s in annotation.slice if isinstance(s.slice, cst.Index)]
            if len(args) != len(annotation.slice):
                return None
            if generic == "Optional" and self.from_typing("Optional") and len(args) == 1:
                inner = self.annotation_type(args[0])
                return None if inner is None else inner | {"none"}
            if generic in ("tuple", "Tuple") and len(args) == 2 and _is_ellipsis(args[1]):
                if generic == "Tuple" and not self.from_typing("Tuple"):
                    return None
                element = self.annotation_type(args[0])
            elif generic in _ITERABLE_GENERICS and len(args) == 1:
                if _ITERABLE_GENERICS[generic] is None:
                    if self.info.bound(generic) or self.info.star_import:
                        return None
                elif not self.from_typing(generic):
                    return None
                element = self.annotation_type(args[0])
            else:
                return None
            if element is None or not element <= HASHABLE:
                return None
            return frozenset(f"iter:{t}" for t in element)
        return None

    def from_typing(self, name: str) -> bool:
        """True when ``name`` is imported from ``typing`` or ``collections.abc`` under that name."""
        source = self.info.from_imports.get(name)
        return (
            source is not None and source[0] in ("typing", "collections.abc") and source[1] == name
        )

    def name_type(
        self, name: str, at: cst.CSTNode | None = None, seen: frozenset[int] = frozenset()
    ) -> Ty:
        """The types ``name`` may have where ``at`` reads it (comprehension targets included)."""
        if at is not None:
            comp = self.comprehension_binding(name, at)
            if comp is not None:
                if isinstance(comp, str):
                    return None
                return self.elem_type(comp.iter, seen)
        if name in ("True", "False"):
            return frozenset({"bool"})
        if name == "None":
            return frozenset({"none"})
        if not self.is_local(name):
            return None
        result: set[str] = set()
        for binding in self.bindings[name]:
            if id(binding.node) in seen:
                return None
            ty = self.binding_type(binding, seen | {id(binding.node)})
            if ty is None:
                return None
            result |= ty
        return frozenset(result) or None

    def comprehension_binding(self, name: str, at: cst.CSTNode) -> cst.CompFor | str | None:
        """The comprehension clause that binds ``name`` where ``at`` reads it (``"unknown"`` for
        a tuple target or a lambda parameter), or None when no comprehension or lambda does."""
        previous: cst.CSTNode = at
        for ancestor in self.tree.ancestors(at):
            if ancestor is self.scope.node:
                return None
            if isinstance(ancestor, cst.Lambda) and any(
                p.name.value == name for p in _all_params(ancestor.params)
            ):
                return "unknown"
            if isinstance(ancestor, _COMPREHENSIONS):
                first = ancestor.for_in
                # The outermost iterable is evaluated outside the comprehension.
                if previous is first and self._inside(at, first.iter):
                    previous = ancestor
                    continue
                comp_for: cst.CompFor | None = first
                while comp_for is not None:
                    names = [n.value for n in target_names(comp_for.target)]
                    if name in names:
                        if isinstance(comp_for.target, cst.Name):
                            return comp_for
                        return "unknown"
                    comp_for = comp_for.inner_for_in
            previous = ancestor
        return None

    def _inside(self, node: cst.CSTNode, container: cst.CSTNode) -> bool:
        return node is container or any(a is container for a in self.tree.ancestors(node))

    def binding_type(self, binding: Binding, seen: frozenset[int] = frozenset()) -> Ty:
        """The types one binding gives its name."""
        if binding.kind == "param":
            param = binding.node
            if isinstance(param, cst.Param) and param.star in ("*", "**"):
                return None
            return self.annotation_type(binding.annotation)
        if binding.kind in ("assign", "walrus") and binding.value is not None:
            return self.type_of(binding.value, seen)
        if binding.kind == "annassign":
            declared = self.annotation_type(binding.annotation)
            if declared is not None and binding.value is not None:
                actual = self.type_of(binding.value, seen)
                return actual if actual is not None and actual <= declared else None
            return None
        if binding.kind == "augassign" and isinstance(binding.node, cst.AugAssign):
            return self._augassign_type(binding.node, seen)
        if binding.kind == "del":
            return frozenset()
        if binding.kind == "for" and isinstance(binding.node, cst.For):
            loop = binding.node
            if isinstance(loop.target, cst.Name):
                return self.elem_type(loop.iter, seen)
            return self._enumerate_unpack(binding.name, loop.target, loop.iter, seen)
        return None

    def _augassign_type(self, node: cst.AugAssign, seen: frozenset[int]) -> Ty:
        # `x op= v` yields a type already among x's other bindings, or the one named here:
        # int/float/bool x with an int v stays numeric, str x += str stays str. Anything
        # else (a list extended in place, an unknown v) is unknown.
        value = self.type_of(node.value, seen)
        operator = node.operator
        if value == INT and isinstance(
            operator,
            cst.AddAssign
            | cst.SubtractAssign
            | cst.MultiplyAssign
            | cst.FloorDivideAssign
            | cst.ModuloAssign,
        ):
            return value
        if value == FLOAT and isinstance(
            operator, cst.AddAssign | cst.SubtractAssign | cst.MultiplyAssign
        ):
            return value
        if value in (STR, BYTES) and isinstance(operator, cst.AddAssign):
            return value
        return None

    def _enumerate_unpack(
        self,
        name: str,
        target: cst.BaseExpression,
        iterable: cst.BaseExpression,
        seen: frozenset[int],
    ) -> Ty:
        if not (
            isinstance(target, cst.Tuple)
            and len(target.elements) == 2
            and isinstance(iterable, cst.Call)
            and isinstance(iterable.func, cst.Name)
            and iterable.func.value == "enumerate"
            and self.builtin("enumerate")
            and iterable.args
            and iterable.args[0].keyword is None
            and not iterable.args[0].star
        ):
            return None
        first, second = (e.value for e in target.elements)
        if isinstance(first, cst.Name) and first.value == name:
            return frozenset({"int"})
        if isinstance(second, cst.Name) and second.value == name:
            return self.elem_type(iterable.args[0].value, seen)
        return None

    def type_of(self, node: cst.BaseExpression, seen: frozenset[int] = frozenset()) -> Ty:
        """The types an expression may evaluate to; ``None`` when not known."""
        if isinstance(node, cst.SimpleString):
            return frozenset({"bytes" if "b" in node.prefix.lower() else "str"})
        if isinstance(node, cst.ConcatenatedString):
            left = self.type_of(node.left, seen)
            return left if left == self.type_of(node.right, seen) else None
        if isinstance(node, cst.FormattedString):
            return frozenset({"str"})
        if isinstance(node, cst.Integer):
            return frozenset({"int"})
        if isinstance(node, cst.Float):
            return frozenset({"float"})
        if isinstance(node, cst.Imaginary):
            return frozenset({"complex"})
        if isinstance(node, cst.Name):
            return self.name_type(node.value, node, seen)
        if isinstance(node, cst.UnaryOperation):
            if isinstance(node.operator, cst.Not):
                return frozenset({"bool"})
            inner = self.type_of(node.expression, seen)
            if inner is not None and inner <= {"int", "float", "complex"}:
                return inner
            return None
        if isinstance(node, cst.BinaryOperation):
            return self._binary_type(node, seen)
        if isinstance(node, cst.IfExp):
            body = self.type_of(node.body, seen)
            orelse = self.type_of(node.orelse, seen)
            return None if body is None or orelse is None else body | orelse
        if isinstance(node, cst.Subscript):
            value = self.type_of(node.value, seen)
            if value in (STR, BYTES) and len(node.slice) == 1:
                if isinstance(node.slice[0].slice, cst.Slice):
                    return value
                return value if value == STR else frozenset({"int"})
            return None
        if isinstance(node, cst.Call):
            return self._call_type(node, seen)
        return None

    def _binary_type(self, node: cst.BinaryOperation, seen: frozenset[int]) -> Ty:
        left = self.type_of(node.left, seen)
        right = self.type_of(node.right, seen)
        if left is None or right is None:
            return None
        if isinstance(node.operator, cst.Add) and left == right and left in (STR, BYTES):
            return left
        if isinstance(node.operator, cst.Modulo) and left == STR:
            return left
        if (
            isinstance(
                node.operator, cst.Add | cst.Subtract | cst.Multiply | cst.FloorDivide | cst.Modulo
            )
            and left == right == INT
        ):
            return left
        return None

    def _call_type(self, node: cst.Call, seen: frozenset[int]) -> Ty:
        func = node.func
        if isinstance(func, cst.Attribute):
            receiver = self.type_of(func.value, seen)
            method = func.attr.value
            if receiver in (STR, BYTES):
                if method in _STR_TO_STR:
                    return receiver
                if method in _STR_TO_INT:
                    return frozenset({"int"})
                if method in _STR_TO_BOOL:
                    return frozenset({"bool"})
            return None
        if isinstance(func, cst.Name) and self.builtin(func.value):
            simple = {
                "str": "str",
                "repr": "str",
                "chr": "str",
                "ascii": "str",
                "len": "int",
                "ord": "int",
                "hash": "int",
                "int": "int",
                "float": "float",
                "bool": "bool",
            }
            if func.value in simple and not any(a.star for a in node.args):
                return frozenset({simple[func.value]})
        return None

    def elem_type(self, iterable: cst.BaseExpression, seen: frozenset[int] = frozenset()) -> Ty:
        """The types of the elements that iterating ``iterable`` yields."""
        if isinstance(iterable, cst.Call):
            func = iterable.func
            if isinstance(func, cst.Attribute) and func.attr.value in _SPLITTERS:
                receiver = self.type_of(func.value, seen)
                return receiver if receiver in (STR, BYTES) else None
            if isinstance(func, cst.Name) and self.builtin(func.value):
                positional = [a for a in iterable.args if a.keyword is None]
                if any(a.star for a in iterable.args):
                    return None
                if func.value == "range":
                    return frozenset({"int"})
                if (
                    func.value in ("sorted", "reversed", "list", "tuple", "set", "frozenset")
                    and len(positional) == 1
                ):
                    return self.elem_type(positional[0].value, seen)
            return None
        if isinstance(iterable, cst.List | cst.Tuple | cst.Set):
            result: set[str] = set()
            for element in iterable.elements:
                if not isinstance(element, cst.Element):
                    return None
                ty = self.type_of(element.value, seen)
                if ty is None:
                    return None
                result |= ty
            return frozenset(result) or None
        if isinstance(iterable, cst.Name):
            ty = self.name_type(iterable.value, iterable, seen)
        else:
            ty = self.type_of(iterable, seen)
        if ty == STR:
            return ty
        if ty == BYTES:
            return frozenset({"int"})
        if ty and all(t.startswith("iter:") for t in ty):
            return frozenset(t[5:] for t in ty)
        return None


def _is_ellipsis(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Ellipsis)


def _all_params(params: cst.Parameters) -> list[cst.Param]:
    found = [*params.posonly_params, *params.params, *params.kwonly_params]
    if isinstance(params.star_arg, cst.Param):
        found.append(params.star_arg)
    if params.star_kwarg is not None:
        found.append(params.star_kwarg)
    return found


def all_params(params: cst.Parameters) -> list[cst.Param]:
    """Every parameter, ``*args`` and ``**kwargs`` included."""
    return _all_params(params)
