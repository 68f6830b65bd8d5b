"""Which profiled files belong to the repository, and under what relative path.

A profile may come from this checkout, or from another machine, container or virtualenv
where the same code lived elsewhere (``/app/src/pkg/mod.py``,
``/venv/lib/python3.11/site-packages/pkg/mod.py``). A file name is mapped, in order:

1. through the user's ``OLD=NEW`` prefix maps (``--path-map /app=.``);
2. as a path under the repository root (absolute, or relative to the root as py-spy and
   pyinstrument shorten them);
3. by module path: the longest tail of its components that names exactly one repository
   file (``…/site-packages/pkg/mod.py`` → ``src/pkg/mod.py``). A bare file name matches
   only a file at the top of the repository, so ``/usr/lib/python3.11/json/__init__.py``
   never lands on some package's ``__init__.py``.

Excluded paths (tests, environments, build output) never map.
"""

from __future__ import annotations

import fnmatch
import os
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from eco.errors import ConfigError

#: Repository files that are never optimization targets: tests, harnesses, environments.
DEFAULT_EXCLUDE: tuple[str, ...] = (
    "tests/*",
    "test/*",
    "*/tests/*",
    "*/test/*",
    "test_*.py",
    "*/test_*.py",
    "*_test.py",
    "conftest.py",
    "*/conftest.py",
    ".eco/*",
    ".venv/*",
    "venv/*",
    ".tox/*",
    ".nox/*",
    "build/*",
    "*/site-packages/*",
)

#: Directories never searched for module-path matches.
_SKIP_DIRS = {"__pycache__", "node_modules", "site-packages", "dist-packages", "venv", "build", "dist"}


def parse_path_maps(specs: tuple[str, ...] | list[str]) -> tuple[tuple[str, str], ...]:
    """``["OLD=NEW", ...]`` → ``((OLD, NEW), ...)``, longest ``OLD`` first."""
    maps: list[tuple[str, str]] = []
    for spec in specs:
        old, sep, new = spec.partition("=")
        if not sep or not old.strip():
            raise ConfigError(f"path map {spec!r} must look like OLD=NEW (e.g. /app=.)")
        maps.append((old.strip().replace("\\", "/").rstrip("/") or "/", new.strip()))
    maps.sort(key=lambda m: -len(m[0]))
    return tuple(maps)


@dataclass
class RepoMap:
    """Maps profiler file names to repository-relative POSIX paths."""

    root: Path
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    #: Extra repository-relative paths that are never targets (the workload script).
    also_exclude: frozenset[str] = field(default_factory=frozenset)
    #: ``(OLD, NEW)`` prefix maps applied to profiled file names first (see `parse_path_maps`).
    path_map: tuple[tuple[str, str], ...] = ()
    _cache: dict[str, str | None] = field(default_factory=dict)

    @cached_property
    def _root(self) -> str:
        return str(self.root.resolve())

    @cached_property
    def _by_tail(self) -> dict[str, list[str]]:
        """Every tail of every repository ``.py`` path (``a/b/c.py``, ``b/c.py``, ``c.py``)."""
        index: dict[str, list[str]] = defaultdict(list)
        for directory, dirs, files in os.walk(self._root):
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in _SKIP_DIRS)
            rel_dir = os.path.relpath(directory, self._root)
            for name in files:
                if not name.endswith(".py"):
                    continue
                rel = name if rel_dir == "." else Path(rel_dir, name).as_posix()
                parts = rel.split("/")
                for start in range(len(parts)):
                    index["/".join(parts[start:])].append(rel)
        return dict(index)

    def relative(self, filename: str) -> str | None:
        """The repository-relative path of ``filename``, or None when it is not a target file."""
        cached = self._cache.get(filename, "")
        if cached != "":
            return cached
        rel = self._map(filename)
        if rel is not None and self.excluded(rel):
            rel = None
        self._cache[filename] = rel
        return rel

    def _map(self, filename: str) -> str | None:
        if not filename.endswith(".py") or filename.startswith("<"):
            return None
        name = filename.replace("\\", "/") if "\\" in filename else filename
        for old, new in self.path_map:
            if name == old or name.startswith(old if old.endswith("/") else old + "/"):
                rest = name[len(old):].lstrip("/")
                name = os.path.join(new, rest) if new else rest
                break
        absolute = os.path.realpath(name if os.path.isabs(name) else os.path.join(self._root, name))
        if absolute.startswith(self._root + os.sep):
            rel = Path(os.path.relpath(absolute, self._root)).as_posix()
            if os.path.isfile(absolute) and not self.excluded(rel):
                return rel
        # Elsewhere, or an installed copy inside the repository's own environment.
        return self._by_module_path(name)

    def _by_module_path(self, name: str) -> str | None:
        parts = [p for p in name.split("/") if p and p != "."]
        for start in range(len(parts)):
            tail = "/".join(parts[start:])
            found = self._by_tail.get(tail)
            if not found:
                continue
            if start == len(parts) - 1:
                # A bare file name: only a top-level repository module, never a package member.
                top = [rel for rel in found if "/" not in rel]
                return top[0] if len(top) == 1 else None
            return found[0] if len(found) == 1 else None
        return None

    def excluded(self, rel: str) -> bool:
        if rel in self.also_exclude:
            return True
        return any(fnmatch.fnmatch(rel, pattern) for pattern in self.exclude)
