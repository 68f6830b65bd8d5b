"""Builtin calls that copy, wrap or convert for nothing.

* ``[x for x in y]`` / ``{x for x in y}``: an element-by-element copy; ``list(y)`` / ``set(y)``
  copies in C.
* ``list(sorted(x))``: ``sorted`` already returns a new list.
* ``len(list(x))`` / ``len(tuple(x))``: a copy just to count, when ``x`` is a sized collection.
* ``for v in list(x)``: a copy before iterating, needed only when the loop changes ``x``.
* ``list(map(lambda v: e, xs))``: a Python function call per element; ``[e for v in xs]``
  evaluates ``e`` inline.
* ``bin(n).count("1")``: a string built to count bits; ``n.bit_count()`` (Python 3.10+).

Each rewrite keeps the evaluation of every sub-expression exactly once and in the same order;
the preconditions make sure the values involved are what the shortcut assumes.
"""

from __future__ import annotations

import libcst as cst

from eco.draft.facts import BYTES, IMMUTABLE_KINDS, STR
from eco.draft.recipes._common import contains_comment, module_level_message, short
from eco.draft.recipes._edit import Edit, Plan, Recipe, Site
from eco.draft.recipes._effects import changes, region_nodes
from eco.draft.scope import COMPREHENSIONS, Scope, walk

__all__ = [
    "BIT_COUNT",
    "COMPREHENSION_COPY",
    "LEN_OF_COPY",
    "LIST_CAST",
    "LIST_SORTED",
    "MAP_LAMBDA",
]

_SIZED = frozenset(
    {"dict", "mapping", "list", "tuple", "set", "frozenset", "str", "bytes", "sequence"}
)
_DYNAMIC = frozenset({"super", "locals", "vars", "eval", "exec", "dir"})


def _builtin_call(node: cst.CSTNode, *names: str) -> cst.Call | None:
    """``node`` when it calls one of the builtins ``names`` with exactly one plain argument."""
    if (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Name)
        and node.func.value in names
        and len(node.args) == 1
        and node.args[0].keyword is None
        and not node.args[0].star
    ):
        return node
    return None


def _site(scope: Scope, node: cst.CSTNode, message: str, reason: str | None, plan: Plan) -> Site:
    if reason is None and not scope.is_function:
        reason = module_level_message()
    if reason is None and contains_comment(node):
        reason = "the expression holds a comment that the rewrite would drop"
    if reason is not None:
        return Site(node, f"{message}; not fixed: {reason}", False)
    return Site(node, message, True, plan)


def _not_builtin(scope: Scope, *names: str) -> str | None:
    for name in names:
        if not scope.facts.builtin(name):
            return f"`{name}` is not the builtin here"
    return None


def _replace(node: cst.CSTNode, build: object) -> Plan:
    def plan(edit: Edit) -> None:
        edit.replace_node(node, build)  # type: ignore[arg-type]

    return plan


# -- unnecessary-comprehension-copy ----------------------------------------------------------


def comprehension_copy(scope: Scope) -> list[Site]:
    sites = []
    for comp in scope.of(cst.ListComp, cst.SetComp):
        assert isinstance(comp, cst.ListComp | cst.SetComp)
        clause = comp.for_in
        if not (
            clause.inner_for_in is None
            and not clause.ifs
            and clause.asynchronous is None
            and isinstance(clause.target, cst.Name)
            and isinstance(comp.elt, cst.Name)
            and comp.elt.value == clause.target.value
        ):
            continue
        builder = "list" if isinstance(comp, cst.ListComp) else "set"
        shown = short(scope, clause.iter, 20)
        message = (
            f"`{short(scope, comp, 30)}` copies `{shown}` one element at a time; "
            f"`{builder}({shown})` copies it in C"
        )
        reason = _not_builtin(scope, builder) or _plain_iterable(scope, clause.iter)
        sites.append(_site(scope, comp, message, reason, _plan_copy(comp, builder)))
    for comp in scope.of(cst.DictComp):
        assert isinstance(comp, cst.DictComp)
        clause = comp.for_in
        target = clause.target
        if (
            clause.inner_for_in is None
            and not clause.ifs
            and clause.asynchronous is None
            and isinstance(target, cst.Tuple)
            and len(target.elements) == 2
            and isinstance(comp.key, cst.Name)
            and isinstance(comp.value, cst.Name)
            and [getattr(e.value, "value", None) for e in target.elements]
            == [comp.key.value, comp.value.value]
        ):
            shown = short(scope, clause.iter, 20)
            sites.append(
                Site(
                    comp,
                    f"`{short(scope, comp, 30)}` rebuilds the pairs of `{shown}` one at a time; "
                    f"`dict({shown})` does it in C; not fixed: dict() also accepts a mapping, and "
                    "fails differently on items that are not pairs",
                    False,
                )
            )
    return sites


_DISPLAYS = (
    cst.List,
    cst.Tuple,
    cst.Set,
    cst.Dict,
    cst.ListComp,
    cst.SetComp,
    cst.DictComp,
    cst.GeneratorExp,
    cst.SimpleString,
    cst.ConcatenatedString,
)
_ITERATORS = frozenset({"range", "zip", "enumerate", "map", "filter", "reversed", "sorted", "iter"})


def _plain_iterable(scope: Scope, node: cst.BaseExpression) -> str | None:
    """Why ``list(node)`` might not just iterate ``node`` (it asks for a length hint first,
    which runs ``__len__``/``__length_hint__`` of an object of unknown type), or None."""
    facts = scope.facts
    if isinstance(node, _DISPLAYS):
        return None
    if facts.type_of(node) in (STR, BYTES):
        return None
    if isinstance(node, cst.Name) and facts.container(node.value) is not None:
        return None
    if (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Name)
        and node.func.value in _ITERATORS
        and facts.builtin(node.func.value)
    ):
        return None
    if (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Attribute)
        and node.func.attr.value in ("keys", "values", "items")
        and not node.args
        and isinstance(node.func.value, cst.Name)
        and facts.container(node.func.value.value) in ("dict", "mapping")
    ):
        return None
    if (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Attribute)
        and node.func.attr.value in ("split", "rsplit", "splitlines")
        and facts.type_of(node.func.value) in (STR, BYTES)
    ):
        return None
    return (
        f"the type of `{short(scope, node, 20)}` is unknown, and list()/set() ask it for its "
        "length before iterating, which a comprehension does not"
    )


def _plan_copy(comp: cst.ListComp | cst.SetComp, builder: str) -> Plan:
    def build(updated: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(updated, cst.ListComp | cst.SetComp)
        return cst.Call(
            func=cst.Name(builder),
            args=[cst.Arg(value=updated.for_in.iter)],
            lpar=updated.lpar,
            rpar=updated.rpar,
        )

    return _replace(comp, build)


# -- list-call-around-sorted -----------------------------------------------------------------


def list_sorted(scope: Scope) -> list[Site]:
    sites = []
    for call in scope.of(cst.Call):
        outer = _builtin_call(call, "list")
        if outer is None:
            continue
        inner = outer.args[0].value
        if not (
            isinstance(inner, cst.Call)
            and isinstance(inner.func, cst.Name)
            and inner.func.value == "sorted"
        ):
            continue
        message = "`list(sorted(...))` copies the new list `sorted()` already returned"
        reason = _not_builtin(scope, "list", "sorted")
        sites.append(_site(scope, outer, message, reason, _plan_unwrap(outer)))
    return sites


def _plan_unwrap(outer: cst.Call) -> Plan:
    def build(updated: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(updated, cst.Call)
        inner = updated.args[0].value
        return inner.with_changes(lpar=updated.lpar, rpar=updated.rpar)

    return _replace(outer, build)


# -- len-of-copy ----------------------------------------------------------------------------


def len_of_copy(scope: Scope) -> list[Site]:
    sites = []
    for call in scope.of(cst.Call):
        outer = _builtin_call(call, "len")
        if outer is None:
            continue
        inner = outer.args[0].value
        copy = _builtin_call(inner, "list", "tuple", "sorted")
        if copy is None:
            continue
        assert isinstance(copy.func, cst.Name)
        builder = copy.func.value
        source = copy.args[0].value
        shown = short(scope, source, 20)
        kind = scope.facts.container(source.value) if isinstance(source, cst.Name) else None
        if kind not in _SIZED:
            continue  # an iterator must be consumed to be counted
        message = (
            f"`len({builder}({shown}))` copies every element just to count them; "
            f"`len({shown})` answers directly"
        )
        reason = _not_builtin(scope, "len", builder)
        if reason is None and builder == "sorted":
            reason = "sorting may raise on incomparable elements, which `len()` alone would not"
        sites.append(_site(scope, outer, message, reason, _plan_len(outer)))
    return sites


def _plan_len(outer: cst.Call) -> Plan:
    def build(updated: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(updated, cst.Call)
        copy = updated.args[0].value
        assert isinstance(copy, cst.Call)
        return updated.with_changes(args=[updated.args[0].with_changes(value=copy.args[0].value)])

    return _replace(outer, build)


# -- unnecessary-list-cast ------------------------------------------------------------------


def list_cast(scope: Scope) -> list[Site]:
    sites = []
    for loop in scope.of(cst.For):
        assert isinstance(loop, cst.For)
        call = _builtin_call(loop.iter, "list")
        if call is None or not isinstance(call.args[0].value, cst.Name | cst.Tuple):
            continue
        source = call.args[0].value
        shown = short(scope, source, 20)
        message = f"`for ... in list({shown})` copies `{shown}` before iterating over it"
        reason = _not_builtin(scope, "list")
        if isinstance(source, cst.Name):
            kind = scope.facts.container(source.value)
            region = region_nodes([loop.body, *([loop.orelse] if loop.orelse else [])])
            if changes(scope, region, source.value, kind, through_others=False) is not None:
                continue  # the loop changes it: the copy is what makes that safe
            if reason is not None:
                pass
            elif kind is None:
                reason = f"`{shown}` is not known to be a collection (the copy matters when the loop changes it)"
            elif kind not in IMMUTABLE_KINDS:
                found = changes(scope, region, source.value, kind)
                if found is not None:
                    reason = f"the copy may matter: {found}"
        sites.append(_site(scope, loop.iter, message, reason, _plan_cast(call)))
    return sites


def _plan_cast(call: cst.Call) -> Plan:
    def build(updated: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(updated, cst.Call)
        return updated.args[0].value

    return _replace(call, build)


# -- map-lambda -----------------------------------------------------------------------------


def map_lambda(scope: Scope) -> list[Site]:
    sites = []
    for call in scope.of(cst.Call):
        if not (
            isinstance(call, cst.Call)
            and isinstance(call.func, cst.Name)
            and call.func.value == "map"
            and len(call.args) >= 2
            and isinstance(call.args[0].value, cst.Lambda)
        ):
            continue
        wrapper = scope.tree.parent(scope.tree.parent(call) or call)
        outer = _builtin_call(wrapper, "list", "set") if wrapper is not None else None
        if outer is not None and outer.args[0].value is not call:
            outer = None
        message = "`map(lambda ...)` calls a Python function per element; a comprehension evaluates the expression inline"
        if outer is None:
            sites.append(
                Site(
                    call,
                    f"{message}; not fixed: only `list(map(lambda ...))` and `set(map(lambda ...))` "
                    "are rewritten (a generator is not reliably faster than map elsewhere)",
                    False,
                )
            )
            continue
        assert isinstance(outer.func, cst.Name)
        builder = outer.func.value
        reason = _not_builtin(scope, builder, "map") or _lambda_unsafe(scope, call)
        sites.append(_site(scope, outer, message, reason, _plan_map(outer, builder)))
    return sites


def _lambda_unsafe(scope: Scope, call: cst.Call) -> str | None:
    if len(call.args) != 2 or any(a.keyword is not None or a.star for a in call.args):
        return "map() gets more than one iterable or keyword arguments"
    fn = call.args[0].value
    assert isinstance(fn, cst.Lambda)
    params = fn.params
    if (
        len(params.params) != 1
        or params.posonly_params
        or params.kwonly_params
        or params.star_arg is not cst.MaybeSentinel.DEFAULT
        or params.star_kwarg is not None
        or params.params[0].default is not None
    ):
        return "the lambda does not take exactly one plain parameter"
    name = params.params[0].name.value
    for node in walk(fn.body):
        if isinstance(node, cst.Yield | cst.Await | cst.NamedExpr):
            return f"`{short(scope, node, 20)}` behaves differently inside a comprehension"
        if isinstance(node, cst.Name) and node.value in _DYNAMIC:
            return f"`{node.value}()` sees a different scope inside a comprehension"
        if (
            isinstance(node, cst.Call)
            and isinstance(node.func, cst.Name | cst.Attribute)
            and (node.func.value if isinstance(node.func, cst.Name) else node.func.attr.value)
            in ("next", "send", "__next__")
        ):
            return (
                "a StopIteration from the lambda would end map() silently but escape a "
                "comprehension"
            )
        if isinstance(node, (cst.Lambda, cst.FunctionDef, *COMPREHENSIONS)) and any(
            isinstance(n, cst.Name) and n.value == name for n in walk(node)
        ):
            return f"a nested function or comprehension captures `{name}`, which a comprehension rebinds"
    return None


def _plan_map(outer: cst.Call, builder: str) -> Plan:
    def build(updated: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(updated, cst.Call)
        call = updated.args[0].value
        assert isinstance(call, cst.Call)
        fn = call.args[0].value
        assert isinstance(fn, cst.Lambda)
        iterable = call.args[1].value
        if isinstance(iterable, cst.IfExp | cst.Lambda) and not iterable.lpar:
            iterable = iterable.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
        clause = cst.CompFor(target=fn.params.params[0].name, iter=iterable)
        comp: cst.BaseExpression
        if builder == "list":
            comp = cst.ListComp(elt=fn.body, for_in=clause)
        else:
            comp = cst.SetComp(elt=fn.body, for_in=clause)
        return comp.with_changes(lpar=updated.lpar, rpar=updated.rpar)

    return _replace(outer, build)


# -- bin-count-bits -------------------------------------------------------------------------


def bit_count(scope: Scope) -> list[Site]:
    sites = []
    for call in scope.of(cst.Call):
        if not (
            isinstance(call, cst.Call)
            and isinstance(call.func, cst.Attribute)
            and call.func.attr.value == "count"
            and len(call.args) == 1
            and isinstance(call.args[0].value, cst.SimpleString)
            and call.args[0].keyword is None
            and call.args[0].value.evaluated_value == "1"
        ):
            continue
        binned = _builtin_call(call.func.value, "bin")
        if binned is None:
            continue
        number = binned.args[0].value
        shown = short(scope, number, 20)
        message = f'`bin({shown}).count("1")` builds a string to count bits; `int.bit_count()` counts them directly'
        reason = _not_builtin(scope, "bin")
        ty = scope.facts.type_of(number)
        if reason is None and not (ty and ty <= {"int", "bool"}):
            reason = f"`{shown}` is not known to be an int (only ints have .bit_count())"
        sites.append(_site(scope, call, message, reason, _plan_bits(call)))
    return sites


def _plan_bits(call: cst.Call) -> Plan:
    def build(updated: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(updated, cst.Call) and isinstance(updated.func, cst.Attribute)
        binned = updated.func.value
        assert isinstance(binned, cst.Call)
        number = binned.args[0].value
        if (
            not isinstance(number, cst.Name | cst.Call | cst.Attribute | cst.Subscript)
            and not number.lpar
        ):
            number = number.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
        return cst.Call(
            func=cst.Attribute(value=number, attr=cst.Name("bit_count")),
            lpar=updated.lpar,
            rpar=updated.rpar,
        )

    return _replace(call, build)


COMPREHENSION_COPY = Recipe(
    "unnecessary_comprehension_copy",
    comprehension_copy,
    "A comprehension that yields each element unchanged is a copy; `list()`/`set()` copy in C "
    "without running the comprehension's loop in bytecode.",
)
LIST_SORTED = Recipe(
    "list_call_around_sorted",
    list_sorted,
    "`sorted()` already returns a new list, so wrapping it in `list()` only copies it again.",
)
LEN_OF_COPY = Recipe(
    "len_of_copy",
    len_of_copy,
    "Counting a collection by copying it first costs a full copy; the collection knows its length.",
)
LIST_CAST = Recipe(
    "unnecessary_list_cast",
    list_cast,
    "Iterating over `list(x)` copies `x` first; the loop cannot change `x`, so iterating over it "
    "directly sees the same elements without the copy.",
)
MAP_LAMBDA = Recipe(
    "map_lambda_to_comprehension",
    map_lambda,
    "`map()` with a lambda calls a Python function for every element; a comprehension evaluates "
    "the same expression inline.",
)
BIT_COUNT = Recipe(
    "bin_count_ones",
    bit_count,
    '`bin(n).count("1")` formats the number as a string to count its one bits; `n.bit_count()` '
    "counts them without building the string.",
)
