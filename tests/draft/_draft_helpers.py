"""A CodemodTest-style base for recipes: dedented before/after module sources, compared exactly."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from typing import Any

from eco.code.records import Target
from eco.draft import Candidate, draft_recipes
from eco.profile.records import HotFunction
from eco.pysource import find_function, parse_functions


def make_target(source: str, qualname: str | None = None, file: str = "pkg/mod.py") -> Target:
    """A `Target` for ``qualname`` (default: the last function) in the module ``source``."""
    functions = parse_functions(source.encode("utf-8"))
    fn = find_function(functions, qualname) if qualname else functions[-1]
    assert fn is not None, f"no function {qualname!r} in the source"
    data = source.encode("utf-8")
    hot = HotFunction(file, fn.qualname, fn.start_line, 1.0, 1.0, 0.5, 10)
    return Target(
        hot=hot,
        file=file,
        qualname=fn.qualname,
        span=(fn.start_byte, fn.end_byte),
        lines=(fn.start_line, fn.end_line),
        source=data[fn.start_byte : fn.end_byte].decode("utf-8"),
        file_source=source,
    )


def dedent(code: str) -> str:
    return textwrap.dedent(code).lstrip("\n")


def candidates(before: str, qualname: str | None = None) -> list[Candidate]:
    return draft_recipes(make_target(dedent(before), qualname))


def single(before: str, antipattern: str, qualname: str | None = None) -> Candidate | None:
    found = [c for c in candidates(before, qualname) if c.antipattern == antipattern]
    assert len(found) <= 1
    return found[0] if found else None


def assert_rewrites(
    before: str, after: str, antipattern: str, qualname: str | None = None
) -> Candidate:
    """The recipe ``antipattern`` turns ``before`` into exactly ``after``."""
    candidate = single(before, antipattern, qualname)
    assert candidate is not None, f"{antipattern} did not fire"
    assert candidate.new_file_source == dedent(after)
    return candidate


def assert_unchanged(before: str, antipattern: str, qualname: str | None = None) -> None:
    """The recipe ``antipattern`` leaves ``before`` alone (no candidate for it)."""
    candidate = single(before, antipattern, qualname)
    assert candidate is None, (
        f"{antipattern} fired:\n{candidate.new_file_source if candidate else ''}"
    )


def load(source: str, name: str) -> Callable[..., Any]:
    """Exec a module source and return its function ``name``."""
    namespace: dict[str, Any] = {"__name__": "eco_test_module"}
    exec(compile(source, "<candidate>", "exec"), namespace)
    return namespace[name]  # type: ignore[no-any-return]


def outcome(fn: Callable[..., Any], *args: Any) -> tuple[str, Any]:
    """``("ok", result)`` or ``("raised", exception type)``: what a caller could observe."""
    try:
        return ("ok", fn(*args))
    except Exception as exc:  # the point is to compare any exception
        return ("raised", type(exc))
