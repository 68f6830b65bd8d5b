"""Python source facts every stage needs: where each function is, and which module a file is.

tree-sitter gives byte-exact spans (a decorated function's span starts at its first
decorator). Qualnames are dotted as Python's ``__qualname__`` but without ``<locals>``:
a method is ``Class.method``, a nested function ``outer.inner``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import tree_sitter_python
from tree_sitter import Language, Node, Parser

from eco.errors import SourceError

__all__ = [
    "FunctionDef",
    "check_syntax",
    "find_function",
    "function_at_line",
    "module_name_for",
    "parse_functions",
]


@dataclass(frozen=True)
class FunctionDef:
    """One `def` (or `async def`) in a file."""

    #: Dotted qualified name without ``<locals>``.
    qualname: str
    #: The bare name, as ``co_name``.
    name: str
    #: Byte span of the whole definition, decorators included.
    start_byte: int
    end_byte: int
    #: 1-based line of the span start (first decorator, or the ``def``).
    start_line: int
    #: 1-based line of the ``def`` keyword.
    def_line: int
    #: 1-based last line of the body.
    end_line: int
    #: True when defined directly in a class body.
    is_method: bool
    #: Decorator expressions as written, without the ``@``.
    decorators: tuple[str, ...]
    #: Byte offset of the start of the span's first line (for indentation).
    line_start_byte: int


@lru_cache(maxsize=1)
def _parser() -> Parser:
    return Parser(Language(tree_sitter_python.language()))


def check_syntax(source: bytes | str, filename: str) -> None:
    """Raise `SourceError` naming ``filename:line`` when the source is not valid Python."""
    try:
        compile(source, filename, "exec", dont_inherit=True)
    except SyntaxError as exc:
        line = exc.lineno or 0
        raise SourceError(f"{filename}:{line}: syntax error: {exc.msg}") from exc
    except ValueError as exc:  # e.g. null bytes
        raise SourceError(f"{filename}: cannot be parsed as Python: {exc}") from exc


def parse_functions(source: bytes) -> list[FunctionDef]:
    """Every function in ``source`` in source order, with spans and dotted qualnames."""
    tree = _parser().parse(source)
    found: list[FunctionDef] = []
    _walk(tree.root_node, source, (), False, found)
    found.sort(key=lambda f: f.start_byte)
    return found


def _walk(node: Node, source: bytes, scope: tuple[str, ...], in_class: bool, out: list[FunctionDef]) -> None:
    for child in node.children:
        outer = child
        definition = child
        decorators: list[str] = []
        if child.type == "decorated_definition":
            inner = child.child_by_field_name("definition")
            if inner is None:
                continue
            definition = inner
            for dec in child.children:
                if dec.type == "decorator":
                    text = source[dec.start_byte : dec.end_byte].decode("utf-8", "replace")
                    decorators.append(text.lstrip("@").strip())
        if definition.type == "function_definition":
            name_node = definition.child_by_field_name("name")
            if name_node is None:
                continue
            name = source[name_node.start_byte : name_node.end_byte].decode("utf-8", "replace")
            qual = (*scope, name)
            line_start = source.rfind(b"\n", 0, outer.start_byte) + 1
            out.append(
                FunctionDef(
                    qualname=".".join(qual),
                    name=name,
                    start_byte=outer.start_byte,
                    end_byte=outer.end_byte,
                    start_line=outer.start_point[0] + 1,
                    def_line=definition.start_point[0] + 1,
                    end_line=outer.end_point[0] + 1,
                    is_method=in_class,
                    decorators=tuple(decorators),
                    line_start_byte=line_start,
                )
            )
            body = definition.child_by_field_name("body")
            if body is not None:
                _walk(body, source, qual, False, out)
        elif definition.type == "class_definition":
            name_node = definition.child_by_field_name("name")
            body = definition.child_by_field_name("body")
            if name_node is None or body is None:
                continue
            name = source[name_node.start_byte : name_node.end_byte].decode("utf-8", "replace")
            _walk(body, source, (*scope, name), True, out)
        elif child.type in {"block", "if_statement", "try_statement", "with_statement",
                            "else_clause", "elif_clause", "except_clause", "finally_clause",
                            "for_statement", "while_statement", "module"}:
            # Functions defined under `if TYPE_CHECKING:`, `try:` etc. keep the enclosing scope.
            _walk(child, source, scope, in_class, out)


def find_function(functions: list[FunctionDef], qualname: str) -> FunctionDef | None:
    """The function with this dotted qualname (``<locals>`` parts are ignored); the last wins,
    as Python's own binding does when a name is defined twice."""
    wanted = ".".join(p for p in qualname.split(".") if p != "<locals>")
    match = None
    for fn in functions:
        if fn.qualname == wanted:
            match = fn
    return match


def function_at_line(functions: list[FunctionDef], line: int, name: str) -> FunctionDef | None:
    """The function a code object with ``co_firstlineno == line`` and ``co_name == name`` is.

    CPython sets ``co_firstlineno`` to the first decorator's line for a decorated function,
    so both the span start and the ``def`` line are accepted.
    """
    for fn in functions:
        if fn.name == name and line in (fn.start_line, fn.def_line):
            return fn
    return None


def module_name_for(path: Path, root: Path) -> tuple[str, Path]:
    """The dotted module name of ``path`` and the directory that must be on ``sys.path``.

    Walks up from the file while directories hold an ``__init__.py`` (regular packages);
    the first directory without one is the import root. Stops at ``root``.
    """
    path = path.resolve()
    root = root.resolve()
    parts = [path.stem] if path.name != "__init__.py" else []
    directory = path.parent
    while directory != root and (directory / "__init__.py").exists():
        parts.insert(0, directory.name)
        directory = directory.parent
    if directory == root and (root / "__init__.py").exists() and path.parent != root:
        # The repository root is itself a package directory: import from its parent.
        parts.insert(0, root.name)
        directory = root.parent
    if not parts:
        raise SourceError(f"{path}: cannot determine the module name")
    return ".".join(parts), directory
