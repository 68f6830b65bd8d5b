"""``re.sub("literal", ...)`` in a loop: every call looks the pattern up in ``re``'s cache.

Compiling once before the outermost loop and calling the method on the compiled pattern
skips the cache lookup and argument juggling on every iteration. The pattern and flags must
be literals that compile now (so hoisting cannot raise where the loop would not have run), and
``re`` must be the module imported at top level and not rebound in the function.
"""

from __future__ import annotations

import ast
import re

import libcst as cst

from eco.draft.recipes._common import module_level_message
from eco.draft.recipes._edit import Edit, Plan, Recipe, Site
from eco.draft.scope import Scope

__all__ = ["REGEX_IN_LOOP", "regex_compile_in_loop"]

#: Module function -> (position of ``flags`` when passed positionally, keywords it accepts
#: besides ``flags``). The compiled method takes the same arguments minus pattern and flags.
_METHODS: dict[str, tuple[int, frozenset[str]]] = {
    "match": (2, frozenset({"string"})),
    "search": (2, frozenset({"string"})),
    "fullmatch": (2, frozenset({"string"})),
    "findall": (2, frozenset({"string"})),
    "finditer": (2, frozenset({"string"})),
    "split": (3, frozenset({"string", "maxsplit"})),
    "sub": (4, frozenset({"repl", "string", "count"})),
    "subn": (4, frozenset({"repl", "string", "count"})),
}
_FLAGS = frozenset(
    {
        "A",
        "ASCII",
        "I",
        "IGNORECASE",
        "L",
        "LOCALE",
        "M",
        "MULTILINE",
        "S",
        "DOTALL",
        "U",
        "UNICODE",
        "X",
        "VERBOSE",
        "NOFLAG",
    }
)


def regex_compile_in_loop(scope: Scope) -> list[Site]:
    sites = []
    for node in scope.of(cst.Call):
        if not (
            isinstance(node, cst.Call)
            and isinstance(node.func, cst.Attribute)
            and isinstance(node.func.value, cst.Name)
            and node.func.value.value == "re"
            and node.func.attr.value in _METHODS
            and node.args
            and isinstance(node.args[0].value, cst.SimpleString | cst.ConcatenatedString)
            and scope.in_loop(node)
        ):
            continue
        method = node.func.attr.value
        message = (
            f"`re.{method}` with a literal pattern inside a loop looks the pattern up on every "
            "iteration; compile it once before the loop"
        )
        reason, parts = _check(scope, node)
        if reason is not None or parts is None:
            sites.append(Site(node, f"{message}; not fixed: {reason}", False))
            continue
        loops = scope.tree.loop_ancestors(node, scope.node)
        statement = scope.tree.statement_of(loops[-1])
        if statement is None:
            sites.append(
                Site(node, f"{message}; not fixed: no statement to compile it before", False)
            )
            continue
        sites.append(Site(node, message, True, _plan(node, statement, *parts)))
    return sites


def _check(
    scope: Scope, call: cst.Call
) -> tuple[str | None, tuple[str, str | None, cst.Arg | None] | None]:
    """(reason not to fix, None) or (None, (pattern code, flags code, the flags argument))."""
    if not scope.is_function:
        return module_level_message(), None
    if not scope.info.imports_module("re", "re") or not scope.facts.free_global("re"):
        return "`re` is not (only) the module imported with `import re` at top level", None
    assert isinstance(call.func, cst.Attribute)
    method = call.func.attr.value
    flag_position, keywords = _METHODS[method]
    args = list(call.args)
    if any(a.star for a in args):
        return "the call unpacks arguments", None
    pattern_arg = args[0]
    if pattern_arg.keyword is not None:
        return "the pattern is passed by keyword", None
    pattern = pattern_arg.value
    if _has_fstring(pattern):
        return "the pattern is an f-string", None
    flags_arg: cst.Arg | None = None
    positional = [a for a in args if a.keyword is None]
    if len(positional) > flag_position + 1:
        return "too many positional arguments", None
    if len(positional) == flag_position + 1:
        flags_arg = positional[-1]
    for arg in args:
        if arg.keyword is None:
            continue
        if arg.keyword.value == "flags" and flags_arg is None:
            flags_arg = arg
        elif arg.keyword.value not in keywords:
            return f"keyword `{arg.keyword.value}=` is not one eco rewrites", None
    pattern_code = scope.code(pattern).strip()
    try:
        value = ast.literal_eval(f"({pattern_code})")
    except (ValueError, SyntaxError):
        return "the pattern is not a plain literal", None
    flags_value = 0
    flags_code = None
    if flags_arg is not None:
        flags = _flag_value(flags_arg.value)
        if flags is None:
            return "the flags are not literal `re.X` flags", None
        flags_value = flags
        flags_code = " ".join(scope.code(flags_arg.value).split())
    try:
        re.compile(value, flags_value)
    except (re.error, TypeError, ValueError) as exc:
        return f"the pattern does not compile ({exc})", None
    if "\n" in pattern_code:
        pattern_code = repr(value)
    return None, (pattern_code, flags_code, flags_arg)


def _has_fstring(node: cst.BaseExpression) -> bool:
    if isinstance(node, cst.FormattedString):
        return True
    if isinstance(node, cst.ConcatenatedString):
        return _has_fstring(node.left) or _has_fstring(node.right)
    return False


def _flag_value(node: cst.BaseExpression) -> int | None:
    if isinstance(node, cst.Integer):
        return int(node.evaluated_value)
    if (
        isinstance(node, cst.Attribute)
        and isinstance(node.value, cst.Name)
        and node.value.value == "re"
        and node.attr.value in _FLAGS
        and hasattr(re, node.attr.value)
    ):
        return int(getattr(re, node.attr.value))
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
        left, right = _flag_value(node.left), _flag_value(node.right)
        return None if left is None or right is None else left | right
    return None


def _plan(
    call: cst.Call,
    statement: cst.BaseStatement,
    pattern_code: str,
    flags_code: str | None,
    flags_arg: cst.Arg | None,
) -> Plan:
    assert isinstance(call.func, cst.Attribute)
    method = call.func.attr.value
    removed = {0} | {i for i, arg in enumerate(call.args) if arg is flags_arg}

    def plan(edit: Edit) -> None:
        key = ("re", id(statement), pattern_code, flags_code)
        name = edit.memo.get(key)
        if name is None:
            name = edit.memo[key] = edit.fresh(f"_{method}_re")
            arguments = pattern_code if flags_code is None else f"{pattern_code}, {flags_code}"
            edit.insert_before(
                statement, cst.parse_statement(f"{name} = re.compile({arguments})\n")
            )

        def use_compiled(updated: cst.CSTNode) -> cst.CSTNode:
            assert isinstance(updated, cst.Call) and isinstance(updated.func, cst.Attribute)
            kept = [a for i, a in enumerate(updated.args) if i not in removed]
            if kept:
                kept[-1] = kept[-1].with_changes(comma=updated.args[-1].comma)
            return updated.with_changes(
                func=updated.func.with_changes(value=cst.Name(name)),
                args=kept,
            )

        edit.replace_node(call, use_compiled)

    return plan


REGEX_IN_LOOP = Recipe(
    "regex_compile_in_loop",
    regex_compile_in_loop,
    "Calling `re.<function>` with a literal pattern inside a loop pays for a pattern-cache lookup "
    "on every iteration; the pattern is now compiled once before the loop.",
)
