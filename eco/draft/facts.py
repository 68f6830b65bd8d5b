"""The tiny type inference recipes rely on: which scalar types a name or expression can have.

Everything here is deliberately conservative. A name's type is known only when *every*
binding of the name in the function gives the same small set of types (a parameter
annotation, a literal, a ``str`` method call, iteration over something known); anything
else is unknown, and a recipe that needs the type does not fire.

Types are strings: ``str``, ``bytes``, ``int``, ``float``, ``bool``, ``complex``, ``none``,
and ``iter:T`` for "an iterable whose elements are T" (from ``list[str]``-like annotations).
"""

from __future__ import annotations

from functools import cached_property

import libcst as cst

from eco.draft.scope import (
    COMPREHENSIONS,
    Binding,
    Scope,
    all_params,
    collect_bindings,
    target_names,
    walk,
    walk_scope,
)

__all__ = [
    "BYTES",
    "FLOAT",
    "HASHABLE",
    "IMMUTABLE_KINDS",
    "INT",
    "STR",
    "Facts",
    "Ty",
    "is_hashable",
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
#: Container kinds whose value can never change in place.
IMMUTABLE_KINDS = frozenset({"tuple", "str", "bytes", "frozenset"})
#: Annotation name -> (container kind, where the name must come from: None for a builtin,
#: else the modules that may provide it under that name).
_KIND_ANNOTATIONS: dict[str, tuple[str, tuple[str, ...] | None]] = {
    "dict": ("dict", None),
    "list": ("list", None),
    "tuple": ("tuple", None),
    "set": ("set", None),
    "frozenset": ("frozenset", None),
    "str": ("str", None),
    "bytes": ("bytes", None),
    "Dict": ("dict", ("typing",)),
    "List": ("list", ("typing",)),
    "Tuple": ("tuple", ("typing",)),
    "Set": ("set", ("typing",)),
    "FrozenSet": ("frozenset", ("typing",)),
    "DefaultDict": ("dict", ("typing",)),
    "OrderedDict": ("dict", ("typing", "collections")),
    "defaultdict": ("dict", ("collections",)),
    "Counter": ("dict", ("typing", "collections")),
    "Mapping": ("mapping", ("typing", "collections.abc")),
    "MutableMapping": ("mapping", ("typing", "collections.abc")),
    "Sequence": ("sequence", ("typing", "collections.abc")),
}
#: Builtin constructors that always return a new container of this kind.
_KIND_CALLS = {
    "dict": "dict",
    "list": "list",
    "sorted": "list",
    "tuple": "tuple",
    "set": "set",
    "frozenset": "frozenset",
}


def is_hashable(ty: Ty) -> bool:
    """True when every possible type is a hashable scalar."""
    return ty is not None and bool(ty) and ty <= HASHABLE


class Facts:
    """Bindings and tiny type inference for one scope."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.tree = scope.tree
        self.info = scope.info
        self.bindings, self.declared = collect_bindings(iter(scope.nodes()))
        if isinstance(scope.node, cst.FunctionDef):
            for param in all_params(scope.node.params):
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
            names.update(p.name.value for p in all_params(fn.params))
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

    # -- containers ------------------------------------------------------------------------

    def annotation_kind(self, annotation: cst.BaseExpression | None) -> str | None:
        """The container kind an annotation promises: ``dict``, ``list``, ``tuple``, ``set``,
        ``frozenset``, ``str``, ``bytes``, ``mapping`` or ``sequence``; None when unknown."""
        if isinstance(annotation, cst.Subscript):
            annotation = annotation.value
        if not isinstance(annotation, cst.Name):
            return None
        known = _KIND_ANNOTATIONS.get(annotation.value)
        if known is None:
            return None
        kind, sources = known
        if sources is None:
            ok = not self.info.bound(annotation.value) and not self.info.star_import
        else:
            source = self.info.from_imports.get(annotation.value)
            ok = source is not None and source[0] in sources and source[1] == annotation.value
        return kind if ok else None

    def value_kind(self, node: cst.BaseExpression | None) -> str | None:
        """The container kind an expression always builds anew (a display, a comprehension, a
        copying builtin), or a str/bytes value; None otherwise."""
        if node is None:
            return None
        if isinstance(node, cst.Dict | cst.DictComp):
            return "dict"
        if isinstance(node, cst.List | cst.ListComp):
            return "list"
        if isinstance(node, cst.Tuple):
            return "tuple"
        if isinstance(node, cst.Set | cst.SetComp):
            return "set"
        if (
            isinstance(node, cst.Call)
            and isinstance(node.func, cst.Name)
            and node.func.value in _KIND_CALLS
            and self.builtin(node.func.value)
        ):
            return _KIND_CALLS[node.func.value]
        ty = self.type_of(node)
        if ty == STR:
            return "str"
        if ty == BYTES:
            return "bytes"
        return None

    def container(self, name: str) -> str | None:
        """The container kind of the local or parameter ``name`` when every binding agrees: a
        parameter annotation (never rebound), or assignments that each build a new container
        of one kind (augmented assignments keep the kind of a builtin container)."""
        if name in self.declared:
            return None
        param = self.bound_only_as_param(name)
        if param is not None:
            if param.star in ("*", "**") or param.annotation is None:
                return None
            return self.annotation_kind(param.annotation.annotation)
        bindings = self.bindings.get(name, [])
        kinds: set[str | None] = set()
        for binding in bindings:
            if binding.kind == "augassign":
                continue
            if binding.kind == "assign" or (
                binding.kind == "annassign" and binding.value is not None
            ):
                kinds.add(self.value_kind(binding.value))
            else:
                return None
        if len(kinds) != 1:
            return None
        return kinds.pop()

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
                p.name.value == name for p in all_params(ancestor.params)
            ):
                return "unknown"
            if isinstance(ancestor, COMPREHENSIONS):
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
            if (
                value
                and all(t.startswith("iter:") for t in value)
                and len(node.slice) == 1
                and isinstance(node.slice[0].slice, cst.Index)
                and isinstance(node.value, cst.Name)
                and self.container(node.value.value) in ("list", "tuple", "sequence")
            ):
                # One item of a list[T] / tuple[T, ...] / Sequence[T]: a T.
                return frozenset(t[5:] for t in value)
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
