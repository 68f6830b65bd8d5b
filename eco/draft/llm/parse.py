"""Model output in, a checked new file text out, or the reason it was refused.

Accepted shapes: a whole function (bare, or in a fenced block, possibly with new stdlib
imports above it), or a unified diff against the target's file. Refused: no code, code that
does not parse, an edit that changes anything but the target function (other functions,
module code, a new non-stdlib import), a changed signature, and the "empty edit" (ECO's
name for a rewrite whose AST equals the original's).
"""

from __future__ import annotations

import ast
import re
import sys
import textwrap
from dataclasses import dataclass

from eco.code.records import Target
from eco.pysource import find_function, parse_functions

__all__ = ["Edit", "Refusal", "ast_key", "parse_response"]

_FENCE = re.compile(r"^[ \t]*```[ \t]*([\w+-]*)[ \t]*\n(.*?)^[ \t]*```", re.MULTILINE | re.DOTALL)
_HUNK = re.compile(r"^@@ -(\d+)(?:,\d+)? \+\d+(?:,\d+)? @@")


@dataclass(frozen=True)
class Edit:
    """A usable rewrite: the function's new text and the whole file's."""

    new_source: str
    new_file_source: str
    #: ``diff`` or ``function``: which shape the model answered in.
    shape: str


@dataclass(frozen=True)
class Refusal:
    """Why a response produced no candidate, for the report."""

    reason: str


def parse_response(text: str, target: Target) -> Edit | Refusal:
    """Turn one model response into an `Edit` of ``target``, or a `Refusal` saying why not."""
    if not text.strip():
        return Refusal("empty response")
    blocks = [(lang.lower(), body) for lang, body in _FENCE.findall(text)]
    diff = next(
        (body for lang, body in blocks if lang in ("diff", "patch") or _looks_like_diff(body)), None
    )
    if diff is None and not blocks and _looks_like_diff(text):
        diff = text
    if diff is not None:
        new_file = _apply_diff(target.file_source, diff)
        if new_file is None:
            return Refusal("the diff does not apply to the target's file")
        return _check(target, new_file, "diff")
    name = target.qualname.rsplit(".", 1)[-1]
    code = None
    for _lang, body in blocks:
        if re.search(rf"^\s*(async\s+)?def\s+{re.escape(name)}\s*\(", body, re.MULTILINE):
            code = body
            break
    if code is None and not blocks:
        code = text
    if code is None or not re.search(
        rf"^\s*(async\s+)?def\s+{re.escape(name)}\s*\(", code, re.MULTILINE
    ):
        return Refusal(f"no definition of {name} in the response")
    return _splice(target, textwrap.dedent(code), name)


def _looks_like_diff(text: str) -> bool:
    return any(_HUNK.match(line) for line in text.splitlines())


def _splice(target: Target, code: str, name: str) -> Edit | Refusal:
    try:
        module = ast.parse(code)
    except SyntaxError as exc:
        # A method copied from its class keeps the body's indentation but not the def's.
        lines = code.splitlines(keepends=True)
        fixed = (
            lines[0] + textwrap.indent(textwrap.dedent("".join(lines[1:])), "    ")
            if lines
            else code
        )
        try:
            module, code = ast.parse(fixed), fixed
        except SyntaxError:
            return Refusal(f"the rewritten function does not parse: line {exc.lineno}: {exc.msg}")
    imports: list[str] = []
    function: ast.FunctionDef | ast.AsyncFunctionDef | None = None
    for node in module.body:
        if (
            isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            and node.name == name
            and function is None
        ):
            function = node
        elif isinstance(node, ast.ClassDef) and function is None:
            # The model wrapped the method in its class: take the method, ignore the shell.
            inner = [
                n
                for n in node.body
                if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and n.name == name
            ]
            others = [n for n in node.body if n not in inner and not _is_docstring_or_pass(n)]
            if len(inner) != 1 or others:
                return Refusal("the response changes code outside the target function")
            function = inner[0]
        elif isinstance(node, ast.Import | ast.ImportFrom):
            imports.append(ast.get_source_segment(code, node) or "")
        else:
            return Refusal("the response changes code outside the target function")
    if function is None:
        return Refusal(f"no definition of {name} in the response")
    lines = code.splitlines(keepends=True)
    first = min([function.lineno, *(d.lineno for d in function.decorator_list)])
    assert function.end_lineno is not None
    body = textwrap.dedent("".join(lines[first - 1 : function.end_lineno]))
    data = target.file_source.encode("utf-8")
    start, end = target.span
    line_start = data.rfind(b"\n", 0, start) + 1
    indent = data[line_start:start].decode("utf-8")
    if indent.strip():
        return Refusal("the target does not start its line")  # cannot happen for a def
    new_text = textwrap.indent(body, indent).rstrip("\n")
    new_text = new_text[len(indent) :] if new_text.startswith(indent) else new_text.lstrip()
    new_file = (data[:start] + new_text.encode("utf-8") + data[end:]).decode("utf-8")
    for statement in imports:
        new_file = _add_import(new_file, statement, target.file_source)
    return _check(target, new_file, "function")


def _is_docstring_or_pass(node: ast.stmt) -> bool:
    return isinstance(node, ast.Pass) or (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    )


def _add_import(source: str, statement: str, original: str) -> str:
    if statement in original.splitlines() or statement in [
        line.strip() for line in original.splitlines()
    ]:
        return source
    module = ast.parse(source)
    last = 0
    for node in module.body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            last = node.end_lineno or last
        elif last or not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)):
            break
        else:
            last = node.end_lineno or last
    lines = source.splitlines(keepends=True)
    return "".join([*lines[:last], statement + "\n", *lines[last:]])


def _check(target: Target, new_file: str, shape: str) -> Edit | Refusal:
    try:
        compile(new_file, target.file, "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as exc:
        line = getattr(exc, "lineno", None)
        return Refusal(f"the edited file does not parse{f' (line {line})' if line else ''}: {exc}")
    data = new_file.encode("utf-8")
    fn = find_function(parse_functions(data), target.qualname)
    if fn is None:
        return Refusal(f"the edit removes or renames {target.qualname}")
    new_source = data[fn.start_byte : fn.end_byte].decode("utf-8")
    # Put the original function back: what remains must be the original file, give or take
    # added stdlib imports. Anything else is an edit outside the target.
    restored = (data[: fn.start_byte] + target.source.encode("utf-8") + data[fn.end_byte :]).decode(
        "utf-8"
    )
    if restored != target.file_source:
        why = _outside_change(target.file_source, restored)
        if why:
            return Refusal(why)
    try:
        old_fn = _function_node(target.source)
        new_fn = _function_node(new_source)
    except SyntaxError:
        return Refusal("the rewritten function does not parse on its own")
    if _signature(old_fn) != _signature(new_fn):
        return Refusal("the edit changes the function's signature or decorators")
    if ast_key(new_file) == ast_key(target.file_source):
        return Refusal("empty edit: the rewrite is the original code")
    return Edit(new_source=new_source, new_file_source=new_file, shape=shape)


def _outside_change(original: str, restored: str) -> str:
    import difflib

    old, new = original.splitlines(), restored.splitlines()
    for tag, i1, _i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        if tag != "insert":
            return f"the edit changes code outside the target function (line {i1 + 1})"
        for line in new[j1:j2]:
            if not line.strip():
                continue
            root = _import_root(line)
            if root is None:
                return f"the edit changes code outside the target function: {line.strip()!r}"
            if root not in sys.stdlib_module_names:
                return f"the edit adds a dependency: {line.strip()!r}"
    return ""


def _import_root(line: str) -> str | None:
    try:
        node = ast.parse(line.strip()).body
    except SyntaxError:
        return None
    if len(node) != 1:
        return None
    stmt = node[0]
    if isinstance(stmt, ast.Import) and len(stmt.names) == 1:
        return stmt.names[0].name.split(".")[0]
    if isinstance(stmt, ast.ImportFrom) and stmt.module and stmt.level == 0:
        return stmt.module.split(".")[0]
    return None


def _function_node(source: str) -> ast.FunctionDef | ast.AsyncFunctionDef:
    node = ast.parse(textwrap.dedent(source)).body[0]
    if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        raise SyntaxError("not a function")
    return node


def _signature(node: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    return "|".join(
        [
            type(node).__name__,
            node.name,
            ast.dump(node.args),
            ast.dump(node.returns) if node.returns else "",
            *(ast.dump(d) for d in node.decorator_list),
        ]
    )


def ast_key(source: str) -> str:
    """Formatting- and comment-blind identity of a file text, for de-duplication."""
    try:
        return ast.dump(ast.parse(source))
    except SyntaxError:
        return source


def _apply_diff(original: str, diff: str) -> str | None:
    """``original`` with the hunks of ``diff`` applied, matched by content; None if one fails.

    Models get hunk line numbers wrong, so each hunk's old lines are searched for, nearest
    the stated line first. Only the first file of a multi-file diff is used; the edit checks
    catch anything it does outside the target.
    """
    lines = original.splitlines()
    hunks: list[tuple[int, list[str], list[str]]] = []
    current: tuple[int, list[str], list[str]] | None = None
    files = 0
    for raw in diff.splitlines():
        if raw.startswith("--- "):
            files += 1
            if files > 1:
                return None  # a diff touching a second file changes more than the target
            continue
        if raw.startswith("+++ ") or raw.startswith("diff ") or raw.startswith("index "):
            continue
        match = _HUNK.match(raw)
        if match:
            current = (int(match.group(1)), [], [])
            hunks.append(current)
            continue
        if current is None or raw.startswith("\\"):
            continue
        tag, body = (raw[:1], raw[1:]) if raw[:1] in ("+", "-", " ") else (" ", raw)
        if tag in (" ", "-"):
            current[1].append(body)
        if tag in (" ", "+"):
            current[2].append(body)
    if not hunks:
        return None
    offset = 0
    for stated, old, new in hunks:
        where = _find(lines, old, stated - 1 + offset)
        if where is None:
            return None
        lines[where : where + len(old)] = new
        offset += len(new) - len(old)
    text = "\n".join(lines)
    return text + "\n" if original.endswith("\n") else text


def _find(lines: list[str], block: list[str], hint: int) -> int | None:
    if not block:
        return max(0, min(hint, len(lines)))
    hits = [i for i in range(len(lines) - len(block) + 1) if lines[i : i + len(block)] == block]
    if not hits:
        stripped = [b.rstrip() for b in block]
        hits = [
            i
            for i in range(len(lines) - len(block) + 1)
            if [x.rstrip() for x in lines[i : i + len(block)]] == stripped
        ]
    return min(hits, key=lambda i: abs(i - hint)) if hits else None
