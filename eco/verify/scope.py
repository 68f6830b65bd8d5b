"""The cheap checks before anything runs: the candidate parses, and changes only its target.

"Only the target" means: every module-level statement and every other function is
unchanged, the target's signature (parameters, defaults, annotations, return
annotation) is unchanged, decorators are unchanged except for adding a memoizing
``functools`` cache, new module-level imports are limited to pure standard-library
modules, and the function's new code reaches for nothing that does I/O, starts
processes or executes strings that the old code did not.
"""

from __future__ import annotations

import ast

#: Standard-library modules a rewrite may newly import: pure computation, no I/O.
PURE_MODULES = frozenset({
    "bisect", "collections", "collections.abc", "functools", "heapq", "itertools", "math",
    "operator", "re", "string", "typing", "array", "statistics", "dataclasses", "enum",
    "fractions", "decimal", "numbers", "copy", "types", "contextlib", "abc", "keyword",
    "unicodedata", "struct", "textwrap", "cmath",
})

#: Names whose new appearance in a rewritten function means I/O, processes or dynamic code.
_FORBIDDEN_NAMES = frozenset({
    "open", "exec", "eval", "compile", "__import__", "input", "breakpoint", "globals",
    "setattr", "delattr", "os", "sys", "subprocess", "socket", "shutil", "pathlib", "Path",
    "urllib", "http", "requests", "httpx", "importlib", "ctypes", "multiprocessing",
    "threading", "signal", "pickle", "marshal", "tempfile", "builtins",
})

_CACHE_DECORATORS = frozenset({
    "functools.lru_cache", "functools.cache", "lru_cache", "cache",
})


def _find(tree: ast.Module, qualname: str) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    parts = [p for p in qualname.split(".") if p != "<locals>"]
    found: ast.FunctionDef | ast.AsyncFunctionDef | None = None

    def walk(body: list[ast.stmt], depth: int) -> None:
        nonlocal found
        for node in body:
            if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.name == parts[depth]:
                if depth == len(parts) - 1:
                    if not isinstance(node, ast.ClassDef):
                        found = node
                else:
                    walk(node.body, depth + 1)
            elif isinstance(node, ast.If | ast.Try | ast.With):
                for block in ("body", "orelse", "finalbody"):
                    walk(getattr(node, block, []) or [], depth)

    walk(tree.body, 0)
    return found


def _decorator_name(node: ast.expr) -> str:
    if isinstance(node, ast.Call):
        node = node.func
    return ast.unparse(node)


def _imports(tree: ast.Module) -> list[tuple[int, str]]:
    out = []
    for index, node in enumerate(tree.body):
        if isinstance(node, ast.Import):
            out += [(index, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            out.append((index, ("." * node.level) + (node.module or "")))
    return out


def check_scope(old_source: str, new_source: str, qualname: str) -> str | None:
    """None when the change is confined to ``qualname``; otherwise why not, in one line."""
    old_tree = ast.parse(old_source)
    new_tree = ast.parse(new_source)
    old_fn, new_fn = _find(old_tree, qualname), _find(new_tree, qualname)
    if old_fn is None:
        return f"function {qualname} not found in the original file"
    if new_fn is None:
        return f"the candidate removed or renamed {qualname}"
    if type(old_fn) is not type(new_fn):
        return f"the candidate changed whether {qualname} is async"
    if ast.dump(old_fn.args) != ast.dump(new_fn.args):
        return f"the candidate changed the signature of {qualname}"
    if ast.dump(old_fn.returns or ast.Constant(None)) != ast.dump(new_fn.returns or ast.Constant(None)):
        return f"the candidate changed the return annotation of {qualname}"
    old_decorators = [ast.dump(d) for d in old_fn.decorator_list]
    new_decorators = [ast.dump(d) for d in new_fn.decorator_list]
    added = [d for d in new_fn.decorator_list if ast.dump(d) not in old_decorators]
    if [d for d in new_decorators if d in old_decorators] != old_decorators:
        return f"the candidate removed or reordered decorators of {qualname}"
    for decorator in added:
        if _decorator_name(decorator) not in _CACHE_DECORATORS:
            return f"the candidate added decorator @{ast.unparse(decorator)} to {qualname}"

    old_names = {n.id for n in ast.walk(old_fn) if isinstance(n, ast.Name)}
    for node in ast.walk(new_fn):
        if isinstance(node, ast.Name) and node.id in _FORBIDDEN_NAMES and node.id not in old_names:
            return f"the candidate's {qualname} newly uses {node.id!r} (I/O, processes or dynamic code)"
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            for name in names:
                if name not in PURE_MODULES:
                    return f"the candidate's {qualname} imports {name}, which is not a pure standard-library module"
        if isinstance(node, ast.Global | ast.Nonlocal) and not any(
            isinstance(o, type(node)) for o in ast.walk(old_fn)
        ):
            return f"the candidate's {qualname} newly declares {type(node).__name__.lower()} names"

    # Everything else must be identical, apart from new pure imports at module level.
    for fn in (old_fn, new_fn):
        fn.body = [ast.Pass()]
        fn.decorator_list = []
    old_body = [ast.dump(n) for n in old_tree.body]
    new_body = []
    for node in new_tree.body:
        if isinstance(node, ast.Import | ast.ImportFrom) and ast.dump(node) not in old_body:
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            if node_level(node) or any(n not in PURE_MODULES for n in names):
                return f"the candidate adds an import of {', '.join(names)}, which is not a pure standard-library module"
            continue
        new_body.append(ast.dump(node))
    if old_body != new_body:
        return f"the candidate changes code outside {qualname}"
    return None


def node_level(node: ast.Import | ast.ImportFrom) -> int:
    return node.level if isinstance(node, ast.ImportFrom) else 0
