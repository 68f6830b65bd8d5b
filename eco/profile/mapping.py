"""Which profiled files belong to the repository, and under what relative path."""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

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


@dataclass
class RepoMap:
    """Maps profiler file names to repository-relative POSIX paths."""

    root: Path
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    #: Extra repository-relative paths that are never targets (the workload script).
    also_exclude: frozenset[str] = field(default_factory=frozenset)
    _cache: dict[str, str | None] = field(default_factory=dict)

    @cached_property
    def _root(self) -> str:
        return str(self.root.resolve())

    def relative(self, filename: str) -> str | None:
        """The repository-relative path of ``filename``, or None when it is not a target file."""
        if filename in self._cache:
            return self._cache[filename]
        rel: str | None = None
        if filename.endswith(".py") and not filename.startswith("<"):
            absolute = os.path.realpath(filename if os.path.isabs(filename) else os.path.join(self._root, filename))
            if absolute.startswith(self._root + os.sep):
                candidate = Path(os.path.relpath(absolute, self._root)).as_posix()
                if not self._excluded(candidate):
                    rel = candidate
        self._cache[filename] = rel
        return rel

    def _excluded(self, rel: str) -> bool:
        if rel in self.also_exclude:
            return True
        return any(fnmatch.fnmatch(rel, pattern) for pattern in self.exclude)
