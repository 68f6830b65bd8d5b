"""Prompts for the LLM drafter, built from a `Target` and what is known about it.

A prompt carries the target function with the context it needs (the module's imports, the
enclosing class, the signatures of the module's functions it calls), its hot lines from
the profile, precedents shown as before/after diffs with one line on why each was faster,
the anti-patterns the catalog detects in it, and the rules. Three strategies, as ECO:
``zero-shot`` (no precedents), ``few-shot`` (precedents; the default) and
``step-by-step`` (precedents, and a short analysis before the code).
"""

from __future__ import annotations

import ast
import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from eco.code.records import Target
from eco.draft.llm.backend import Prompt

__all__ = [
    "STRATEGIES",
    "Precedent",
    "PrecedentLike",
    "Strategy",
    "build_completion_prompt",
    "build_prompt",
    "catalog_precedents",
]

Strategy = Literal["zero-shot", "few-shot", "step-by-step"]
STRATEGIES: tuple[Strategy, ...] = ("zero-shot", "few-shot", "step-by-step")

#: Most precedents shown in one prompt.
MAX_PRECEDENTS = 4


class PrecedentLike(Protocol):
    """What a prompt reads of a precedent: `Precedent` here, or `eco.index.Precedent`."""

    @property
    def before(self) -> str: ...
    @property
    def after(self) -> str: ...
    @property
    def message(self) -> str: ...
    @property
    def repo(self) -> str: ...
    @property
    def sha(self) -> str: ...


@dataclass(frozen=True)
class Precedent:
    """A past edit that made similar code faster (from the index, or the catalog)."""

    before: str
    after: str
    #: One line on why the new code is faster (a commit subject, a catalog ``why``).
    message: str
    repo: str = ""
    sha: str = ""
    category: str = ""
    score: float = 0.0


SYSTEM = (
    "You are a performance engineer. You rewrite one Python function so that it runs "
    "faster while doing exactly the same thing. You answer with code, not commentary."
)

RULES = """\
Rules:
- Keep the function's name, signature, decorators and return values exactly as they are.
- Keep its behaviour identical for every input: same results, same exceptions, same side
  effects on arguments and globals, same order of anything observable.
- Change only this function. Add no new dependencies: the standard library and what the
  module already imports are all you may use.
- If you cannot make it faster safely, return the function unchanged."""

ANSWER = "Answer with the complete rewritten function in one ```python fenced block."
STEP_BY_STEP = (
    "First, in at most five short lines, say where the time goes and what you will change. "
    "Then give the complete rewritten function in one ```python fenced block."
)


def catalog_precedents(antipatterns: Sequence[str]) -> list[Precedent]:
    """The catalog's own before/after pair for each detected anti-pattern id."""
    from eco.draft.recipes import default_catalog

    catalog = {entry.id: entry for entry in default_catalog()}
    out: list[Precedent] = []
    for ident in antipatterns:
        entry = catalog.get(ident)
        if entry is not None and entry.before.strip() and entry.after.strip():
            out.append(
                Precedent(
                    entry.before,
                    entry.after,
                    entry.why.strip().splitlines()[0],
                    repo="eco catalog",
                    category=entry.id,
                )
            )
    return out


def build_prompt(
    target: Target,
    *,
    strategy: Strategy = "few-shot",
    precedents: Sequence[PrecedentLike] = (),
    findings: Sequence[str] = (),
) -> Prompt:
    """The prompt for ``target``.

    Args:
        target: The function to rewrite.
        strategy: ``zero-shot``, ``few-shot`` or ``step-by-step``.
        precedents: Before/after examples, best first (ignored by ``zero-shot``).
        findings: One line per anti-pattern detected in the function (``id: message``).
    """
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown prompt strategy {strategy!r} (known: {', '.join(STRATEGIES)})")
    parts: list[str] = [f"Make `{target.qualname}` in `{target.file}` faster."]
    context = function_context(target)
    if context:
        parts.append(
            "Context from the same module (do not change it):\n```python\n" + context + "\n```"
        )
    parts.append(
        f"The function (lines {target.lines[0]}-{target.lines[1]} of {target.file}):\n"
        f"```python\n{target.source.rstrip()}\n```"
    )
    hot = hot_lines(target)
    if hot:
        parts.append("Where the profile caught it (most expensive first):\n" + hot)
    if findings or target.antipatterns:
        lines = list(findings) or [f"- {ident}" for ident in target.antipatterns]
        parts.append(
            "Known performance anti-patterns detected in it:\n"
            + "\n".join(line if line.startswith("- ") else f"- {line}" for line in lines)
        )
    if strategy != "zero-shot" and precedents:
        shown = []
        for i, p in enumerate(precedents[:MAX_PRECEDENTS], 1):
            sha = (
                p.sha[:10] if all(c in "0123456789abcdef" for c in p.sha) else p.sha
            )  # a catalog id
            origin = f" ({p.repo}{' ' + sha if sha else ''})" if p.repo else ""
            why = " ".join(p.message.split())
            why = why if len(why) <= 300 else why[:297] + "..."
            shown.append(f"Example {i}{origin}: {why}\n```diff\n{_diff(p.before, p.after)}```")
        parts.append("Edits that made similar code faster:\n\n" + "\n\n".join(shown))
    parts.append(RULES)
    parts.append(STEP_BY_STEP if strategy == "step-by-step" else ANSWER)
    return Prompt(system=SYSTEM, user="\n\n".join(parts) + "\n")


#: Where a completion model's answer ends: the next top-level statement, example or fence.
COMPLETION_STOPS = ("\n# before", "\n# after", "\n```", "\ndef ", "\nasync def ", "\nclass ",
                    "\n@", "\nif __name__")

COMPLETION_HEADER = """\
# Faster versions of Python functions. Each "after" does exactly what its "before" does:
# same results, same exceptions, same side effects, same signature; it is only faster.
"""
AFTER = "# after (faster, same behaviour):\n"


def build_completion_prompt(
    target: Target,
    *,
    precedents: Sequence[PrecedentLike] = (),
    before: str | None = None,
    note: str = "",
) -> Prompt:
    """A code-continuation prompt for base models, which continue text and cannot chat.

    The precedents as before/after pairs, then the target's "before" (``before`` replaces
    the original text, for a refinement of a verified version) and an open "after" header:
    the model writes the faster function, and the stop sequences end it at the next
    top-level statement. ``note`` (one line, e.g. why an earlier attempt failed) goes in a
    comment above the target.
    """
    parts = [COMPLETION_HEADER]
    context = "\n".join(
        line for line in function_context(target).splitlines() if line.startswith(("import ", "from "))
    )
    if context:
        parts.append(context + "\n")
    for p in precedents[:MAX_PRECEDENTS]:
        if p.before.strip() and p.after.strip():
            why = " ".join(p.message.split())[:200]
            parts.append(f"# before ({why}):\n{p.before.strip()}\n{AFTER}{p.after.strip()}\n")
    comment = "".join(f"# {line}\n" for line in note.strip().splitlines()[:3]) if note else ""
    source = _flush_left(target) if before is None else before.strip("\n")
    parts.append(f"{comment}# before:\n{source}\n{AFTER}")
    return Prompt(system="", user="\n".join(parts), stop=COMPLETION_STOPS)


def _flush_left(target: Target) -> str:
    """The target's text with its first line's indentation removed from every line (a
    method's body keeps its relative indentation)."""
    data = target.file_source.encode("utf-8")
    start = target.span[0]
    indent = data[data.rfind(b"\n", 0, start) + 1 : start].decode("utf-8")
    lines = target.source.strip("\n").splitlines()
    return "\n".join([lines[0], *(line.removeprefix(indent) for line in lines[1:])])


def _diff(before: str, after: str) -> str:
    lines = difflib.unified_diff(
        before.strip("\n").splitlines(True),
        after.strip("\n").splitlines(True),
        "before",
        "after",
        n=3,
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def hot_lines(target: Target, n: int = 5) -> str:
    """``line N (share): text`` for the target's most expensive lines, if the profile had them."""
    hot = target.hot.hot_lines
    if not hot:
        return ""
    file_lines = target.file_source.splitlines()
    total = target.hot.self_s or sum(cost for _, cost in hot) or 1.0
    out = []
    for line, cost in hot[:n]:
        text = file_lines[line - 1].strip() if 0 < line <= len(file_lines) else ""
        out.append(f"- line {line} ({cost / total:.0%}): {text}")
    return "\n".join(out)


def function_context(target: Target) -> str:
    """Imports, the enclosing class header, and signatures of same-module functions it calls."""
    try:
        module = ast.parse(target.file_source)
    except SyntaxError:
        return ""
    imports = [
        ast.get_source_segment(target.file_source, node) or ""
        for node in module.body
        if isinstance(node, ast.Import | ast.ImportFrom)
    ]
    defs: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {}
    target_node: ast.FunctionDef | ast.AsyncFunctionDef | None = None
    enclosing: ast.ClassDef | None = None

    def walk(body: list[ast.stmt], prefix: str, cls: ast.ClassDef | None) -> None:
        nonlocal target_node, enclosing
        for node in body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                qual = prefix + node.name
                defs.setdefault(node.name, node)
                if qual == target.qualname:
                    target_node, enclosing = node, cls
            elif isinstance(node, ast.ClassDef):
                walk(node.body, prefix + node.name + ".", node)

    walk(module.body, "", None)
    parts = ["\n".join(line for line in imports if line)] if any(imports) else []
    if enclosing is not None:
        header = f"class {enclosing.name}"
        if enclosing.bases:
            header += "(" + ", ".join(ast.unparse(b) for b in enclosing.bases) + ")"
        members = [
            f"    {_signature(n)}: ..."
            for n in enclosing.body
            if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and n is not target_node
        ]
        fields = [
            f"    {ast.unparse(n)}"
            for n in enclosing.body
            if isinstance(n, ast.AnnAssign | ast.Assign)
        ]
        parts.append(
            "\n".join([header + ":", *fields[:10], *members[:20]])
            if fields or members
            else header + ": ..."
        )
    if target_node is not None:
        called = []
        for node in ast.walk(target_node):
            if isinstance(node, ast.Call):
                name = (
                    node.func.id
                    if isinstance(node.func, ast.Name)
                    else (node.func.attr if isinstance(node.func, ast.Attribute) else None)
                )
                callee = defs.get(name) if name else None
                if callee is not None and callee is not target_node and callee not in called:
                    called.append(callee)
        if called:
            parts.append(
                "# signatures of functions it calls\n"
                + "\n".join(f"{_signature(n)}: ..." for n in called[:15])
            )
    return "\n\n".join(parts)


def _signature(node: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    prefix = "async def" if isinstance(node, ast.AsyncFunctionDef) else "def"
    returns = f" -> {ast.unparse(node.returns)}" if node.returns else ""
    return f"{prefix} {node.name}({ast.unparse(node.args)}){returns}"
