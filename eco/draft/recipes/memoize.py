"""A pure recursive function recomputes the same sub-results: cache them with ``lru_cache``.

Caching is the same program only when the result depends on nothing but the arguments and
computing it changes nothing: a module-level, undecorated, non-generator function whose
parameters and return value are immutable (by annotation), which declares nothing global,
writes no attribute or item, reads no module name except its own and literal constants, and
calls only itself, a few pure builtins and pure ``str`` methods.

``typed=True`` keeps ``f(1)``, ``f(1.0)`` and ``f(True)`` apart (they are equal as cache keys
but may give results of different types). The cache wrapper is a C call per level, so a cold
call recurses only about half as deep before ``RecursionError``.
"""

from __future__ import annotations

import builtins

import libcst as cst

from eco.draft.facts import BYTES, STR
from eco.draft.recipes._common import PURE_BUILTINS, short, store_targets
from eco.draft.recipes._edit import Edit, Plan, Recipe, Site
from eco.draft.recipes._imports import Reference, reference
from eco.draft.scope import Scope, all_params, walk

__all__ = ["MEMOIZE", "memoize_pure_recursion"]

_ATOMS = frozenset({"int", "str", "bool", "float", "bytes", "complex"})
_NUMERIC = frozenset({"int", "bool", "float", "complex"})
_PURE_METHODS = frozenset(
    {
        "startswith",
        "endswith",
        "isdigit",
        "isalpha",
        "isalnum",
        "isspace",
        "islower",
        "isupper",
        "lower",
        "upper",
        "strip",
        "lstrip",
        "rstrip",
        "casefold",
        "count",
        "find",
        "rfind",
        "index",
        "rindex",
        "split",
        "rsplit",
        "join",
        "replace",
        "removeprefix",
        "removesuffix",
        "partition",
        "rpartition",
        "splitlines",
        "zfill",
        "title",
        "capitalize",
        "swapcase",
    }
)
_EXCEPTIONS = frozenset(
    name
    for name in dir(builtins)
    if isinstance(getattr(builtins, name), type)
    and issubclass(getattr(builtins, name), BaseException)
)


def memoize_pure_recursion(scope: Scope) -> list[Site]:
    fn = scope.node
    if not isinstance(fn, cst.FunctionDef):
        return []
    name = fn.name.value
    calls = [
        n
        for n in scope.of(cst.Call)
        if isinstance(n, cst.Call) and isinstance(n.func, cst.Name) and n.func.value == name
    ]
    if not calls or not scope.facts.free_global(name) or not _overlapping(scope, calls):
        return []
    if any("cache" in scope.code(d.decorator).lower() for d in fn.decorators):
        return []  # already cached
    message = f"`{name}` calls itself; a pure recursive function can cache its results"
    reason = _impure(scope, fn)
    ref: Reference | None = None
    if reason is None:
        ref = reference(scope, "functools", "lru_cache", prefer="module")
        if ref is None:
            reason = "`functools` or `lru_cache` already means something else in this module"
    if reason is not None or ref is None:
        return [Site(fn, f"{message}; not fixed: {reason}", False)]
    typed = any(
        _mentions_numbers(p.annotation.annotation) for p in all_params(fn.params) if p.annotation
    )
    return [Site(fn, message, True, _plan(fn, ref, typed))]


def _overlapping(scope: Scope, calls: list[cst.Call]) -> bool:
    """True when sub-results are likely recomputed: the function calls itself from two places
    or more, or from a loop over ``range()`` (linear recursion, or recursion over the parts of
    a data structure, computes each result once and gains nothing from a cache)."""
    if len(calls) >= 2:
        return True
    tree = scope.tree
    for loop in tree.loop_ancestors(calls[0], scope.node):
        iterable = loop.iter if isinstance(loop, cst.For) else None
        if isinstance(loop, cst.ListComp | cst.SetComp | cst.DictComp | cst.GeneratorExp):
            iterable = loop.for_in.iter
        if (
            isinstance(iterable, cst.Call)
            and isinstance(iterable.func, cst.Name)
            and iterable.func.value == "range"
        ):
            return True
    return False


def _impure(scope: Scope, fn: cst.FunctionDef) -> str | None:
    """Why caching ``fn`` could change what the program does, or None."""
    tree = scope.tree
    facts = scope.facts
    info = scope.info
    name = fn.name.value
    if not isinstance(tree.parent(fn), cst.Module):
        return "only module-level functions are memoized (not methods or nested functions)"
    if fn.decorators:
        return "the function already has decorators"
    if fn.asynchronous is not None:
        return "the function is async"
    if len(info.bindings.get(name, [])) != 1 or name in info.globals_declared:
        return f"the module binds `{name}` more than once"
    params = fn.params
    if isinstance(params.star_arg, cst.Param) or params.star_kwarg is not None:
        return "the function takes *args or **kwargs"
    for param in all_params(params):
        annotation = param.annotation.annotation if param.annotation else None
        if annotation is None or not _immutable(scope, annotation):
            return f"parameter `{param.name.value}` is not annotated with an immutable type"
        if param.default is not None and not _literal_default(param.default):
            return f"the default of `{param.name.value}` is not a literal"
    if fn.returns is None or not _immutable(scope, fn.returns.annotation, allow_none=True):
        return "the return annotation is missing or not an immutable type"
    if facts.declared:
        return "the function declares global or nonlocal names"
    for node in scope.nodes():
        if isinstance(node, cst.Yield | cst.Await):
            return "the function is a generator or awaits"
        if isinstance(node, cst.FunctionDef | cst.ClassDef | cst.Lambda):
            return "the function defines a nested function, class or lambda"
        targets = store_targets(node, loops=True)
        for target in targets:
            if any(isinstance(n, cst.Attribute | cst.Subscript) for n in _walk_target(target)):
                return f"`{short(scope, target, 30)}` writes an attribute or item"
        if isinstance(node, cst.Call):
            reason = _impure_call(scope, node, name)
            if reason is not None:
                return reason
        if isinstance(node, cst.Name) and _is_free_read(scope, node, name):
            return f"the function reads `{node.value}`, which is not a parameter, local or literal constant"
    return None


def _walk_target(target: cst.BaseExpression) -> list[cst.BaseExpression]:
    if isinstance(target, cst.Tuple | cst.List):
        found: list[cst.BaseExpression] = [target]
        for element in target.elements:
            found.extend(_walk_target(element.value))
        return found
    if isinstance(target, cst.StarredElement):
        return _walk_target(target.value)
    return [target]


def _impure_call(scope: Scope, call: cst.Call, name: str) -> str | None:
    func = call.func
    facts = scope.facts
    if isinstance(func, cst.Name):
        if func.value == name:
            return None
        if func.value in PURE_BUILTINS and facts.builtin(func.value):
            return None
        if func.value in _EXCEPTIONS and facts.builtin(func.value):
            return None
    if (
        isinstance(func, cst.Attribute)
        and func.attr.value in _PURE_METHODS
        and facts.type_of(func.value) in (STR, BYTES)
    ):
        return None
    return f"the call `{short(scope, call, 30)}` is not known to be pure"


def _is_free_read(scope: Scope, node: cst.Name, name: str) -> bool:
    """A name read from outside the function that is not known to be constant."""
    tree = scope.tree
    parent = tree.parent(node)
    if isinstance(parent, cst.Attribute) and parent.attr is node:
        return False
    if isinstance(parent, cst.Arg) and parent.keyword is node:
        return False
    value = node.value
    if value in ("True", "False", "None", name) or scope.facts.is_local(value):
        return False
    if scope.facts.comprehension_binding(value, node) is not None:
        return False
    if scope.facts.builtin(value) and (value in PURE_BUILTINS or value in _EXCEPTIONS):
        return False
    return not (scope.info.constant(value) and scope.facts.free_global(value))


def _immutable(scope: Scope, annotation: cst.BaseExpression, allow_none: bool = False) -> bool:
    facts = scope.facts
    info = scope.info
    if isinstance(annotation, cst.Name):
        if annotation.value == "None":
            return allow_none
        return (
            annotation.value in _ATOMS and not info.bound(annotation.value) and not info.star_import
        )
    if isinstance(annotation, cst.BinaryOperation) and isinstance(annotation.operator, cst.BitOr):
        return (
            _immutable(scope, annotation.left, True)
            and _immutable(scope, annotation.right, True)
            and (allow_none or not _is_none(annotation.left) or not _is_none(annotation.right))
        )
    if isinstance(annotation, cst.Subscript) and isinstance(annotation.value, cst.Name):
        generic = annotation.value.value
        args = [s.slice.value for s in annotation.slice if isinstance(s.slice, cst.Index)]
        if len(args) != len(annotation.slice):
            return False
        if generic in ("tuple", "frozenset") and (info.bound(generic) or info.star_import):
            return False
        if generic in ("Tuple", "FrozenSet", "Optional") and not facts.from_typing(generic):
            return False
        if generic in ("tuple", "Tuple"):
            if len(args) == 2 and isinstance(args[1], cst.Ellipsis):
                return _immutable(scope, args[0])
            return bool(args) and all(_immutable(scope, a) for a in args)
        if generic in ("frozenset", "FrozenSet") and len(args) == 1:
            return _immutable(scope, args[0])
        if generic == "Optional" and len(args) == 1:
            return _immutable(scope, args[0])
    return False


def _is_none(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"


def _literal_default(node: cst.BaseExpression) -> bool:
    if isinstance(node, cst.SimpleString | cst.Integer | cst.Float | cst.Imaginary):
        return True
    if isinstance(node, cst.Name):
        return node.value in ("True", "False", "None")
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        return isinstance(node.expression, cst.Integer | cst.Float)
    if isinstance(node, cst.Tuple):
        return all(isinstance(e, cst.Element) and _literal_default(e.value) for e in node.elements)
    return False


def _mentions_numbers(annotation: cst.BaseExpression) -> bool:
    return any(isinstance(n, cst.Name) and n.value in _NUMERIC for n in walk(annotation))


def _plan(fn: cst.FunctionDef, ref: Reference, typed: bool) -> Plan:
    arguments = "maxsize=None, typed=True" if typed else "maxsize=None"
    decorator = cst.Decorator(decorator=cst.parse_expression(f"{ref.text}({arguments})"))

    def decorate(updated: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(updated, cst.FunctionDef)
        return updated.with_changes(decorators=[decorator])

    def plan(edit: Edit) -> None:
        ref.register(edit)
        edit.replace_node(fn, decorate)

    return plan


MEMOIZE = Recipe(
    "memoize_pure_recursion",
    memoize_pure_recursion,
    "The function is pure and recursive, so it recomputes the same sub-results many times; "
    "`functools.lru_cache` computes each distinct call once.",
)
