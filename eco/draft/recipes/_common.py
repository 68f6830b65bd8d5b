"""Small predicates the recipes share: constants, name references, comments, pure builtins."""

from __future__ import annotations

import libcst as cst

from eco.draft.scope import Scope, Tree, walk

__all__ = [
    "PURE_BUILTINS",
    "clause_safe",
    "contains_comment",
    "hashable_constant",
    "in_nested_scope",
    "is_load",
    "module_level_message",
    "name_references",
    "short",
    "store_targets",
]

#: Builtins that neither mutate their arguments nor touch anything outside them.
PURE_BUILTINS = frozenset(
    {
        "abs",
        "all",
        "any",
        "bool",
        "chr",
        "divmod",
        "enumerate",
        "float",
        "frozenset",
        "int",
        "isinstance",
        "len",
        "list",
        "max",
        "min",
        "ord",
        "pow",
        "range",
        "repr",
        "reversed",
        "round",
        "set",
        "sorted",
        "str",
        "sum",
        "tuple",
        "zip",
    }
)


def hashable_constant(node: cst.BaseExpression) -> bool:
    """A literal whose value is hashable: str/bytes (no f-strings), numbers, True/False/None."""
    if isinstance(node, cst.SimpleString | cst.Integer | cst.Float | cst.Imaginary):
        return True
    if isinstance(node, cst.ConcatenatedString):
        return hashable_constant(node.left) and hashable_constant(node.right)
    if isinstance(node, cst.Name):
        return node.value in ("True", "False", "None")
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus | cst.Plus):
        return isinstance(node.expression, cst.Integer | cst.Float | cst.Imaginary)
    return False


def name_references(tree: Tree, root: cst.CSTNode, name: str) -> list[cst.Name]:
    """Every use of the identifier ``name`` under ``root``, nested scopes included; attribute
    names (``x.name``) and keyword names (``f(name=...)``) are not uses."""
    found = []
    for node in walk(root):
        if isinstance(node, cst.Name) and node.value == name:
            parent = tree.parent(node)
            if isinstance(parent, cst.Attribute) and parent.attr is node:
                continue
            if isinstance(parent, cst.Arg) and parent.keyword is node:
                continue
            if isinstance(parent, cst.ImportAlias | cst.FunctionDef | cst.ClassDef | cst.Param):
                continue
            found.append(node)
    return found


def in_nested_scope(tree: Tree, node: cst.CSTNode, scope_node: cst.CSTNode) -> bool:
    """True when ``node`` sits inside a def, lambda or class nested in ``scope_node``."""
    for ancestor in tree.ancestors(node):
        if ancestor is scope_node:
            return False
        if isinstance(ancestor, cst.FunctionDef | cst.Lambda | cst.ClassDef):
            return True
    return False


def is_load(tree: Tree, name: cst.Name) -> bool:
    """False when ``name`` is written: an assignment, augmented assignment, ``for`` or ``del``
    target (directly or inside a tuple/list/starred target), or a walrus target."""
    node: cst.CSTNode = name
    parent = tree.parent(node)
    while isinstance(parent, cst.Element | cst.Tuple | cst.List | cst.StarredElement):
        node, parent = parent, tree.parent(parent)
    if isinstance(parent, cst.AssignTarget | cst.Del) or (
        isinstance(parent, cst.AugAssign | cst.AnnAssign | cst.NamedExpr) and parent.target is node
    ):
        return False
    if isinstance(parent, cst.For | cst.CompFor) and parent.target is node:
        return False
    return not (isinstance(parent, cst.AsName | cst.Param))


def contains_comment(node: cst.CSTNode, *, skip_leading: bool = True) -> bool:
    """True when a comment is written anywhere inside ``node`` (its own leading lines aside)."""
    skip: set[int] = set()
    if skip_leading:
        for line in getattr(node, "leading_lines", ()):
            if line.comment is not None:
                skip.add(id(line.comment))
    return any(isinstance(child, cst.Comment) and id(child) not in skip for child in walk(node))


def short(scope: Scope, node: cst.CSTNode, limit: int = 40) -> str:
    """The node's code on one line, cut to ``limit`` characters, for messages."""
    text = " ".join(scope.code(node).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def module_level_message() -> str:
    return "module-level code is reported only; eco rewrites functions"


def clause_safe(expr: cst.BaseExpression) -> cst.BaseExpression:
    """Parenthesize what a comprehension clause cannot hold bare (conditional
    expressions, lambdas, walrus, yield, an unparenthesized tuple)."""
    needs = isinstance(expr, cst.IfExp | cst.Lambda | cst.NamedExpr | cst.Yield) or (
        isinstance(expr, cst.Tuple) and not expr.lpar
    )
    if needs and not expr.lpar:
        return expr.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    return expr


def store_targets(node: cst.CSTNode, *, loops: bool = False) -> list[cst.BaseExpression]:
    """What ``node`` binds, writes or deletes: the targets of ``=``, ``+=``, an annotated
    assignment and ``del`` (and a ``for`` loop's target when ``loops``)."""
    if isinstance(node, cst.Assign):
        return [t.target for t in node.targets]
    if isinstance(node, cst.AugAssign | cst.AnnAssign | cst.Del) or (loops and isinstance(node, cst.For)):
        return [node.target]
    return []
