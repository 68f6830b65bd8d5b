"""From a profiler's frame (file, name, line) to the repository function it belongs to.

Profilers name frames differently: cProfile gives ``co_name`` and ``co_firstlineno``;
py-spy and austin give a qualified name and the line being executed; pyinstrument gives
``co_name``, the class, the first line and the current line; pprof writers give a function
name (sometimes ``module.func``), a start line and the current line. All of them resolve
the same way:

* a comprehension, generator expression or lambda (``<listcomp>``, ``f.<locals>.<lambda>``)
  belongs to the function that contains it, found by its line;
* a named function is the function of that name whose first line is the frame's first
  line, else the innermost one of that name whose span holds the frame's line, else (the
  file changed since the profile was taken) the only function with that qualified name;
* module bodies and class bodies belong to no function.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from eco.profile.mapping import RepoMap
from eco.pysource import FunctionDef, parse_functions


@dataclass(frozen=True)
class Owner:
    """A repository function that profile time can be charged to."""

    file: str
    fn: FunctionDef

    @property
    def key(self) -> tuple[str, str]:
        return (self.file, self.fn.qualname)


@dataclass
class Resolver:
    """Resolves frames to `Owner` indices, with every answer cached."""

    repo: RepoMap
    #: Every function resolved so far; frames resolve to indices into this list.
    owners: list[Owner] = field(default_factory=list)
    _index: dict[tuple[str, str], int] = field(default_factory=dict)
    _functions: dict[str, list[FunctionDef]] = field(default_factory=dict)
    _cache: dict[tuple[str, str, int, int], int] = field(default_factory=dict)

    def resolve(self, file: str, name: str, line: int = 0, first_line: int = 0) -> int:
        """Index into `owners` of the function this frame runs in, or -1."""
        key = (file, name, line, first_line)
        found = self._cache.get(key)
        if found is None:
            found = self._resolve(file, name, line, first_line)
            self._cache[key] = found
        return found

    def _resolve(self, file: str, name: str, line: int, first_line: int) -> int:
        rel = self.repo.relative(file)
        if rel is None:
            return -1
        functions = self._functions.get(rel)
        if functions is None:
            try:
                functions = parse_functions((self.repo.root / rel).read_bytes())
            except OSError:
                functions = []
            self._functions[rel] = functions
        fn = match_function(functions, name, line, first_line)
        if fn is None:
            return -1
        owner = Owner(rel, fn)
        index = self._index.get(owner.key)
        if index is None:
            index = len(self.owners)
            self.owners.append(owner)
            self._index[owner.key] = index
        return index


def _innermost(functions: list[FunctionDef], line: int) -> FunctionDef | None:
    best = None
    for fn in functions:
        if fn.start_line <= line <= fn.end_line and (best is None or fn.start_line >= best.start_line):
            best = fn
    return best


def match_function(functions: list[FunctionDef], name: str, line: int = 0, first_line: int = 0) -> FunctionDef | None:
    """The function a frame named ``name`` at ``line`` (first line ``first_line``) runs in."""
    if not functions:
        return None
    parts = [p for p in name.replace("::", ".").replace(":", ".").split(".") if p and p != "<locals>"]
    if not parts:
        return None
    bare = parts[-1]
    if bare.startswith("<"):
        if bare == "<module>":
            return None
        # A comprehension, generator expression or lambda: charged to its function.
        anchor = first_line or line
        if anchor > 0:
            return _innermost(functions, anchor)
        return _by_qualname(functions, parts[:-1])
    candidates = [fn for fn in functions if fn.name == bare]
    if not candidates:
        return None
    if first_line > 0:
        for fn in candidates:
            if first_line in (fn.start_line, fn.def_line):
                return fn
    if line > 0:
        holding = [fn for fn in candidates if fn.start_line <= line <= fn.end_line]
        if holding:
            return max(holding, key=lambda fn: fn.start_line)
    return _by_qualname(candidates, parts)


def _by_qualname(functions: list[FunctionDef], parts: list[str]) -> FunctionDef | None:
    """The one function whose qualname ends with ``parts`` (profiles rarely give the whole)."""
    if not parts:
        return None
    wanted = ".".join(parts)
    exact = [fn for fn in functions if fn.qualname == wanted]
    if len(exact) == 1:
        return exact[0]
    tails = [fn for fn in functions if fn.qualname.endswith("." + wanted)]
    matches = exact + tails
    return matches[0] if len(matches) == 1 else None
