"""What to embed: the text a precedent (or a query) is turned into before embedding.

Each view takes ``(before, diff)`` and returns text. ``before`` is the function as it was;
``diff`` its unified diff ("" for a query, which has no fix yet: the diff views then fall
back to the function itself, as ECO queries its diff index with a function).
"""

from __future__ import annotations

import builtins
import io
import re
import tokenize
from collections.abc import Callable
from typing import Literal, get_args

__all__ = ["VIEWS", "View", "normalise", "split_diff", "view_text"]

View = Literal["before", "diff", "normalised", "before+diff"]
VIEWS: tuple[View, ...] = get_args(View)

_KEEP = frozenset({
    "for", "while", "if", "elif", "else", "in", "not", "and", "or", "return", "yield", "try",
    "except", "with", "lambda", "def", "class", "import", "from", "del", "is", "None", "True",
    "False", "global", "nonlocal", "break", "continue", "async", "await", "assert", "raise",
})
_BUILTINS = frozenset(dir(builtins))


def normalise(source: str) -> str:
    """``source`` with local names, strings, numbers and comments replaced by placeholders.

    Keywords, builtins, attribute names (API names such as ``.append``) and operators stay,
    so two functions with the same shape and the same API calls read the same.
    """
    out: list[str] = []
    names: dict[str, str] = {}
    prev = ""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return re.sub(r"#.*", "", source)
    for tok in tokens:
        if tok.type == tokenize.COMMENT or tok.type in (tokenize.NL, tokenize.ENCODING):
            continue
        if tok.type == tokenize.NEWLINE:
            out.append("\n")
        elif tok.type == tokenize.INDENT:
            out.append("INDENT")
        elif tok.type == tokenize.DEDENT:
            out.append("DEDENT")
        elif tok.type == tokenize.STRING or tok.type == getattr(tokenize, "FSTRING_START", -1):
            out.append("STR")
        elif tok.type == tokenize.NUMBER:
            out.append("NUM")
        elif tok.type == tokenize.NAME:
            if tok.string in _KEEP or tok.string in _BUILTINS or prev == ".":
                out.append(tok.string)
            else:
                out.append(names.setdefault(tok.string, f"v{len(names)}"))
        elif tok.string:
            out.append(tok.string)
        prev = tok.string
    return " ".join(out).replace(" \n ", "\n").strip()


def _diff_lines(diff: str) -> str:
    lines = [ln for ln in diff.splitlines()
             if ln[:1] in "+-" and not ln.startswith(("+++", "---"))]
    return "\n".join(lines)


_VIEWS: dict[str, Callable[[str, str], str]] = {
    "before": lambda before, diff: before,
    "diff": lambda before, diff: _diff_lines(diff) or before,
    "normalised": lambda before, diff: normalise(before),
    "before+diff": lambda before, diff: before + "\n" + (_diff_lines(diff) if diff else ""),
}


def split_diff(text: str) -> tuple[str, str] | None:
    """``(before, diff)`` when ``text`` is a unified diff, else None.

    A query may be a fix rather than a function (ECO queries its diff index with diffs):
    the before-side is the diff's context and removed lines. A diff is recognised by its
    headers (``@@``, ``---``/``+++``) or, without them, by every line being a context,
    added or removed line with at least one of the latter; function source never reads so
    (an indented method's lines all start with a space, none with ``+`` or ``-``).
    """
    lines = text.splitlines()
    headers = any(ln.startswith("@@ ") for ln in lines) or (
        any(ln.startswith("--- ") for ln in lines) and any(ln.startswith("+++ ") for ln in lines))
    changed = [ln for ln in lines if ln[:1] in "+-" and not ln.startswith(("+++ ", "--- "))]
    body_only = bool(changed) and all(ln[:1] in " +-" or not ln for ln in lines)
    if not (headers or body_only):
        return None
    before: list[str] = []
    for ln in lines:
        if ln.startswith(("--- ", "+++ ", "@@", "diff ", "index ", "\\")):
            continue
        if ln[:1] in (" ", "-"):
            before.append(ln[1:])
        elif not ln:
            before.append("")
    return "\n".join(before).strip("\n") + "\n", text


def view_text(view: str, before: str, diff: str = "") -> str:
    """The text ``view`` embeds for a function ``before`` and its fix ``diff``."""
    return _VIEWS[view](before, diff)
