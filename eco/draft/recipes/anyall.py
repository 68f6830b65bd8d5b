"""``any([...])`` / ``all([...])``: the list is built in full before the first answer is known.

A generator lets ``any``/``all`` stop at the first decisive element. That skips evaluating the
rest, so the rewrite is the same program only when evaluating an element has no side effects:
the element and conditions may call nothing but a few pure builtins (and pure ``str`` methods
on values known to be ``str``). ``sum([...])`` is reported, never rewritten: it consumes every
element either way and the list is often the faster of the two.
"""

from __future__ import annotations

import libcst as cst

from eco.draft.facts import BYTES, STR
from eco.draft.recipes._common import module_level_message, short
from eco.draft.recipes._edit import Edit, Plan, Recipe, Site
from eco.draft.scope import Scope, walk

__all__ = ["ANY_ALL", "materialized_list_in_any_all"]

_PURE_CALLS = frozenset({"len", "isinstance", "abs", "bool", "ord", "chr", "range"})
_PURE_STR_METHODS = frozenset(
    {
        "startswith",
        "endswith",
        "isdigit",
        "isalpha",
        "isalnum",
        "isspace",
        "islower",
        "isupper",
        "isdecimal",
        "isnumeric",
        "isidentifier",
        "isascii",
        "lower",
        "upper",
        "strip",
        "lstrip",
        "rstrip",
        "casefold",
        "count",
        "find",
        "rfind",
    }
)


def materialized_list_in_any_all(scope: Scope) -> list[Site]:
    sites = []
    for node in scope.of(cst.Call):
        if not (
            isinstance(node, cst.Call)
            and isinstance(node.func, cst.Name)
            and node.func.value in ("any", "all", "sum")
            and len(node.args) >= 1
            and isinstance(node.args[0].value, cst.ListComp)
        ):
            continue
        name = node.func.value
        arg = node.args[0]
        comp = arg.value
        assert isinstance(comp, cst.ListComp)
        if name == "sum":
            sites.append(
                Site(
                    node,
                    "`sum([...])` builds a list first; not fixed: a generator is not "
                    "reliably faster for sum(), which consumes every element anyway",
                    False,
                )
            )
            continue
        message = (
            f"`{name}([...])` builds the whole list before answering; "
            f"a generator lets {name}() stop at the first decisive element"
        )
        reason = None
        if not scope.is_function:
            reason = module_level_message()
        elif not scope.facts.builtin(name):
            reason = f"`{name}` is not the builtin here"
        elif len(node.args) != 1 or arg.keyword is not None or arg.star:
            reason = "the call has more than the one list argument"
        else:
            reason = _impure(scope, comp)
        if reason is not None:
            sites.append(Site(node, f"{message}; not fixed: {reason}", False))
        else:
            sites.append(Site(node, message, True, _plan(node)))
    return sites


def _lazy_parts(comp: cst.ListComp) -> list[cst.CSTNode]:
    """What a generator would evaluate lazily: everything but the outermost iterable."""
    parts: list[cst.CSTNode] = [comp.elt]
    comp_for: cst.CompFor | None = comp.for_in
    first = True
    while comp_for is not None:
        if comp_for.asynchronous is not None:
            return []
        if not first:
            parts.append(comp_for.iter)
        parts.extend(comp_for.ifs)
        first = False
        comp_for = comp_for.inner_for_in
    return parts


def _impure(scope: Scope, comp: cst.ListComp) -> str | None:
    """Why short-circuiting could skip an effect, or None when the lazy parts are pure."""
    parts = _lazy_parts(comp)
    if not parts:
        return "the comprehension is asynchronous"
    facts = scope.facts
    comp_for: cst.CompFor | None = comp.for_in
    while comp_for is not None:
        if not _safe_iterable(scope, comp_for.iter):
            # A generator stops consuming the iterable early: fine for a list, not for an
            # iterator the caller goes on using or a generator with side effects.
            return f"iterating `{short(scope, comp_for.iter, 30)}` may consume an iterator or have side effects"
        comp_for = comp_for.inner_for_in
    for part in parts:
        for node in walk(part):
            if isinstance(node, cst.Await | cst.Yield | cst.NamedExpr | cst.Lambda):
                return f"`{short(scope, node, 30)}` is not a pure expression"
            if not isinstance(node, cst.Call):
                continue
            func = node.func
            if any(a.star for a in node.args):
                return f"`{short(scope, node, 30)}` unpacks arguments"
            if isinstance(func, cst.Name) and facts.builtin(func.value):
                if func.value in _PURE_CALLS:
                    continue
                if (
                    func.value in ("min", "max")
                    and len(node.args) >= 2
                    and all(a.keyword is None for a in node.args)
                ):
                    continue
            if (
                isinstance(func, cst.Attribute)
                and func.attr.value in _PURE_STR_METHODS
                and facts.type_of(func.value) == STR
            ):
                continue
            return f"the call `{short(scope, node, 30)}` might have side effects that short-circuiting would skip"
    return None


_COLLECTION_ANNOTATIONS = frozenset(
    {
        "list",
        "List",
        "tuple",
        "Tuple",
        "Sequence",
        "set",
        "Set",
        "frozenset",
        "FrozenSet",
        "AbstractSet",
        "dict",
        "Dict",
        "Mapping",
        "str",
        "bytes",
    }
)
_COPYING_CALLS = frozenset({"list", "tuple", "set", "frozenset", "sorted", "dict"})
_WRAPPING_CALLS = frozenset({"enumerate", "zip", "reversed"})


def _safe_iterable(scope: Scope, node: cst.BaseExpression) -> bool:
    """True when iterating ``node`` has no side effects and consumes nothing shared: a literal,
    ``range()``, a str, a collection-annotated parameter, a local built as a collection."""
    facts = scope.facts
    if isinstance(
        node,
        cst.List
        | cst.Tuple
        | cst.Set
        | cst.Dict
        | cst.SimpleString
        | cst.ConcatenatedString
        | cst.FormattedString
        | cst.ListComp
        | cst.SetComp
        | cst.DictComp,
    ):
        return True
    if facts.type_of(node) in (STR, BYTES):
        return True
    if isinstance(node, cst.Call):
        func = node.func
        positional = [a.value for a in node.args if a.keyword is None and not a.star]
        if len(positional) != len(node.args):
            return False
        if isinstance(func, cst.Name) and facts.builtin(func.value):
            if func.value == "range" or func.value in _COPYING_CALLS:
                return func.value == "range" or all(_safe_iterable(scope, a) for a in positional)
            if func.value in _WRAPPING_CALLS:
                return bool(positional) and all(_safe_iterable(scope, a) for a in positional)
        if isinstance(func, cst.Attribute):
            receiver = facts.type_of(func.value)
            if func.attr.value in ("split", "rsplit", "splitlines") and receiver in (STR, BYTES):
                return True
            if func.attr.value in ("items", "keys", "values") and not node.args:
                return isinstance(func.value, cst.Name) and _collection_name(
                    scope, func.value.value
                )
        return False
    if isinstance(node, cst.Name):
        return _collection_name(scope, node.value)
    return False


def _collection_name(scope: Scope, name: str) -> bool:
    facts = scope.facts
    param = facts.bound_only_as_param(name)
    if param is not None:
        annotation = param.annotation.annotation if param.annotation else None
        if isinstance(annotation, cst.Subscript):
            annotation = annotation.value
        return isinstance(annotation, cst.Name) and annotation.value in _COLLECTION_ANNOTATIONS
    bindings = facts.bindings.get(name, [])
    if not bindings or name in facts.declared:
        return False
    for binding in bindings:
        value = binding.value
        if binding.kind != "assign" or value is None:
            return False
        if not (
            isinstance(
                value,
                cst.List
                | cst.Tuple
                | cst.Set
                | cst.Dict
                | cst.ListComp
                | cst.SetComp
                | cst.DictComp,
            )
            or (
                isinstance(value, cst.Call)
                and isinstance(value.func, cst.Name)
                and value.func.value in _COPYING_CALLS
                and facts.builtin(value.func.value)
            )
        ):
            return False
    return True


def _plan(call: cst.Call) -> Plan:
    def to_generator(updated: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(updated, cst.Call)
        arg = updated.args[0]
        comp = arg.value
        assert isinstance(comp, cst.ListComp)
        generator = cst.GeneratorExp(
            elt=comp.elt, for_in=comp.for_in, lpar=comp.lpar, rpar=comp.rpar
        )
        changes: dict[str, object] = {}
        # Keep line breaks that sat just inside the brackets.
        if not _empty(comp.lbracket.whitespace_after) and _empty(updated.whitespace_before_args):
            changes["whitespace_before_args"] = comp.lbracket.whitespace_after
        new_arg = arg.with_changes(value=generator)
        if not _empty(comp.rbracket.whitespace_before) and _empty(arg.whitespace_after_arg):
            new_arg = new_arg.with_changes(whitespace_after_arg=comp.rbracket.whitespace_before)
        return updated.with_changes(args=[new_arg], **changes)

    def plan(edit: Edit) -> None:
        edit.replace_node(call, to_generator)

    return plan


def _empty(whitespace: cst.BaseParenthesizableWhitespace) -> bool:
    return isinstance(whitespace, cst.SimpleWhitespace) and not whitespace.value


ANY_ALL = Recipe(
    "materialized_list_in_any_all",
    materialized_list_in_any_all,
    "`any`/`all` over a list comprehension evaluates every element before answering; over a "
    "generator they stop at the first decisive element, and the elements here have no side effects.",
)
