"""Function-level edits: which functions a commit changed, and whether the change matters.

Both revisions of a file are parsed with tree-sitter (`eco.pysource`); functions are
paired by dotted qualname (the n-th definition of a name with the n-th). A function
counts as changed when its *own* text changed: nested functions are cut out of their
parent's text, so an edit inside ``outer.inner`` is reported once, for ``outer.inner``.
Trivial edits are dropped by comparing ASTs at increasing levels of normalisation.
"""

from __future__ import annotations

import ast
import difflib
import hashlib
import io
import re
import textwrap
import tokenize
from dataclasses import dataclass

from eco.pysource import FunctionDef

__all__ = [
    "Function",
    "ParsedFile",
    "changed_functions",
    "decode_source",
    "fingerprint",
    "function_diff",
    "parse_file",
    "trivial_reason",
]


@dataclass(frozen=True)
class Function:
    qualname: str
    #: The definition's text, decorators included, from the start of its first line.
    text: str
    #: The text with nested definitions cut out (what this function itself says).
    own: str
    #: 1-based first line of the definition.
    line: int


@dataclass(frozen=True)
class ParsedFile:
    #: ``{qualname or qualname#n: Function}`` in source order.
    functions: dict[str, Function]
    #: The module's top-level import statements (for static analysis of one function).
    imports: str
    #: 1-based line of the first syntax error tree-sitter found, 0 when none.
    error_line: int


def decode_source(data: bytes) -> str:
    """Decode Python source the way the interpreter does (PEP 263 cookie, else UTF-8).

    Raises:
        UnicodeDecodeError / SyntaxError / LookupError: when it cannot be decoded.
    """
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding)


def _first_error_line(node: object) -> int:
    from tree_sitter import Node

    assert isinstance(node, Node)
    stack = [node]
    while stack:
        current = stack.pop()
        if current.type == "ERROR" or current.is_missing:
            return int(current.start_point[0]) + 1
        if current.has_error:
            stack.extend(reversed(current.children))
    return 1


def parse_file(data: bytes) -> ParsedFile:
    """Every function of one revision of a file, keyed by qualname."""
    from eco.pysource import _parser, _walk

    tree = _parser().parse(data)
    error_line = _first_error_line(tree.root_node) if tree.root_node.has_error else 0
    imports = b"\n".join(
        data[child.start_byte : child.end_byte]
        for child in tree.root_node.children
        if child.type in ("import_statement", "import_from_statement")
    ).decode("utf-8", "replace")
    # `parse_functions` on the tree already parsed (one parse per blob, not two).
    defs: list[FunctionDef] = []
    _walk(tree.root_node, data, (), False, defs)
    defs.sort(key=lambda f: f.start_byte)
    functions: dict[str, Function] = {}
    seen: dict[str, int] = {}
    for i, fn in enumerate(defs):
        # Nested definitions directly inside this one (defs are sorted by start).
        cut: list[tuple[int, int]] = []
        for inner in defs[i + 1 :]:
            if inner.start_byte >= fn.end_byte:
                break
            if not cut or inner.start_byte >= cut[-1][1]:
                cut.append((inner.line_start_byte, inner.end_byte))
        own = bytearray()
        pos = fn.line_start_byte
        for start, end in cut:
            own += data[pos:start] + b"<nested>"
            pos = end
        own += data[pos : fn.end_byte]
        count = seen.get(fn.qualname, 0)
        seen[fn.qualname] = count + 1
        key = fn.qualname if count == 0 else f"{fn.qualname}#{count}"
        functions[key] = Function(
            qualname=fn.qualname,
            text=data[fn.line_start_byte : fn.end_byte].decode("utf-8", "replace") + "\n",
            own=own.decode("utf-8", "replace"),
            line=fn.start_line,
        )
    return ParsedFile(functions=functions, imports=imports, error_line=error_line)


def changed_functions(before: ParsedFile, after: ParsedFile) -> list[tuple[Function, Function]]:
    """Functions present in both revisions whose own text differs, in the after file's order."""
    return [
        (before.functions[key], fn)
        for key, fn in after.functions.items()
        if key in before.functions and before.functions[key].own != fn.own
    ]


# --- trivial edits --------------------------------------------------------------------------


def _parse(text: str) -> ast.Module | None:
    try:
        return ast.parse(textwrap.dedent(text).replace("<nested>", "pass"))
    except (SyntaxError, ValueError):
        return None


class _StripDocstrings(ast.NodeTransformer):
    def _strip(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> ast.AST:
        self.generic_visit(node)
        body = node.body
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                and isinstance(body[0].value.value, str):
            node.body = body[1:] or [ast.Pass()]
        return node

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _strip


class _StripAnnotations(ast.NodeTransformer):
    def visit_arg(self, node: ast.arg) -> ast.AST:
        node.annotation = None
        return node

    def _fn(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> ast.AST:
        self.generic_visit(node)
        node.returns = None
        return node

    visit_FunctionDef = visit_AsyncFunctionDef = _fn

    def visit_AnnAssign(self, node: ast.AnnAssign) -> ast.AST | None:
        if node.value is None:
            return None
        return ast.Assign(targets=[node.target], value=node.value, lineno=0)

    def visit_Expr(self, node: ast.Expr) -> ast.AST | None:
        # typing.cast(T, x) / cast(T, x) -> x
        return self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        if name == "cast" and len(node.args) == 2:
            return node.args[1]
        return node


class _RenameLocals(ast.NodeTransformer):
    """Rename names the function binds itself (parameters, assignments...) in order of first
    binding; free names (globals, builtins, attributes) are kept, so ``list`` -> ``set`` is
    never mistaken for a rename."""

    def __init__(self, bound: set[str]) -> None:
        self.bound = bound
        self.names: dict[str, str] = {}

    def _new(self, name: str) -> str:
        if name not in self.bound:
            return name
        return self.names.setdefault(name, f"_v{len(self.names)}")

    def visit_Name(self, node: ast.Name) -> ast.AST:
        node.id = self._new(node.id)
        return node

    def visit_arg(self, node: ast.arg) -> ast.AST:
        self.generic_visit(node)
        node.arg = self._new(node.arg)
        return node


def _bound_names(tree: ast.AST) -> set[str]:
    bound: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
            bound.add(node.id)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
    top = tree.body[0] if isinstance(tree, ast.Module) and tree.body else None
    if isinstance(top, ast.FunctionDef | ast.AsyncFunctionDef):
        # Global/nonlocal declarations make a name shared: renaming it changes behaviour.
        for node in ast.walk(top):
            if isinstance(node, ast.Global | ast.Nonlocal):
                bound.difference_update(node.names)
    return bound


def _dump(tree: ast.AST) -> str:
    return ast.dump(tree, annotate_fields=False, include_attributes=False)


def _tokens(text: str) -> list[str] | None:
    try:
        return [t.string for t in tokenize.generate_tokens(io.StringIO(textwrap.dedent(text)).readline)
                if t.type not in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT,
                                  tokenize.DEDENT, tokenize.ENDMARKER)]
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return None


_SKIPPED_FIELDS = frozenset({"annotation", "returns", "type_comment", "simple", "ctx", "kind"})


def _normalised(tree: ast.Module) -> str:
    """One pass over the tree: docstrings and annotations left out, names the function binds
    renamed in order of appearance (free names kept). Equal strings: a trivial edit."""
    bound = _bound_names(tree)
    names: dict[str, str] = {}
    out: list[str] = []
    append = out.append

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.AnnAssign) and node.value is not None:
            # `x: int = v` is `x = v` once annotations are left out.
            node = ast.Assign(targets=[node.target], value=node.value)
        append(type(node).__name__)
        docstring = isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Module)
        for name, value in ast.iter_fields(node):
            if name in _SKIPPED_FIELDS:
                continue
            if isinstance(value, list):
                if docstring and name == "body" and value and isinstance(value[0], ast.Expr) \
                        and isinstance(value[0].value, ast.Constant) and isinstance(value[0].value.value, str):
                    value = value[1:]
                append("[")
                for item in value:
                    if isinstance(item, ast.AST):
                        visit(item)
                    else:
                        append(repr(item))
                append("]")
            elif isinstance(value, ast.AST):
                visit(value)
            elif name in ("id", "arg") and value in bound:
                append(names.setdefault(value, f"_v{len(names)}"))
            else:
                append(repr(value))

    visit(tree)
    return "\x00".join(out)


def trivial_reason(before: str, after: str) -> str:
    """Why an edit of one function is trivial, ``""`` when it is not.

    ``whitespace-only``, ``formatting-or-comments``, ``docstring-only``, ``typing-only``,
    ``rename-only`` (locals and parameters renamed consistently).
    """
    if re.sub(r"\s+", "", before) == re.sub(r"\s+", "", after):
        return "whitespace-only"
    tree_b, tree_a = _parse(before), _parse(after)
    if tree_b is None or tree_a is None:
        # Not parseable as Python 3 (Python 2 history, a broken revision): compare tokens.
        tb, ta = _tokens(before), _tokens(after)
        return "formatting-or-comments" if tb is not None and tb == ta else ""
    # The most normalised forms first: most edits differ there, and then that is all it costs.
    if _normalised(tree_b) != _normalised(tree_a):
        return ""
    tree_b, tree_a = _parse(before), _parse(after)
    assert tree_b is not None and tree_a is not None
    if _dump(tree_b) == _dump(tree_a):
        return "formatting-or-comments"
    tree_b = _StripDocstrings().visit(tree_b)
    tree_a = _StripDocstrings().visit(tree_a)
    if _dump(tree_b) == _dump(tree_a):
        return "docstring-only"
    tree_b = _StripAnnotations().visit(tree_b)
    tree_a = _StripAnnotations().visit(tree_a)
    if _dump(tree_b) == _dump(tree_a):
        return "typing-only"
    return "rename-only"


def _normal(text: str) -> str:
    return "\n".join(line.strip() for line in textwrap.dedent(text).splitlines() if line.strip())


def fingerprint(qualname: str, before: str, after: str) -> str:
    """Same function name, same normalised before and after: the same edit, wherever it landed."""
    name = qualname.rsplit(".", 1)[-1]
    digest = hashlib.sha256()
    for part in (name, _normal(before), _normal(after)):
        digest.update(part.encode("utf-8", "surrogateescape"))
        digest.update(b"\0")
    return digest.hexdigest()


def function_diff(old_path: str, new_path: str, before: Function, after: Function) -> str:
    """Unified diff of one function, with line numbers of the real file."""
    lines_b = before.text.splitlines(keepends=True)
    lines_a = after.text.splitlines(keepends=True)
    out = [f"--- a/{old_path}\n", f"+++ b/{new_path}\n"]
    matcher = difflib.SequenceMatcher(None, lines_b, lines_a, autojunk=False)
    for group in matcher.get_grouped_opcodes(3):
        i1, i2, j1, j2 = group[0][1], group[-1][2], group[0][3], group[-1][4]
        out.append(f"@@ -{before.line + i1},{i2 - i1} +{after.line + j1},{j2 - j1} @@\n")
        for tag, a1, a2, b1, b2 in group:
            if tag == "equal":
                out += [" " + line for line in lines_b[a1:a2]]
                continue
            out += ["-" + line for line in lines_b[a1:a2]]
            out += ["+" + line for line in lines_a[b1:b2]]
    return "".join(line if line.endswith("\n") else line + "\n" for line in out)
