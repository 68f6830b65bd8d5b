"""Errors a user can cause, and the one line eco prints for each.

Every error eco raises on purpose is an `EcoError`; the CLI prints `eco: error: <message>`
to stderr and exits with `exit_code`. Anything else is a bug and keeps its traceback.

    EcoError
    ├── ConfigError            bad [tool.eco] table or flag value
    ├── NotAGitRepository      the repository argument is not inside a git work tree
    ├── WorkloadError          the workload command could not run or exited non-zero
    ├── ProfileError           a profile file that cannot be read as a profile
    ├── SourceError            a repository file that cannot be parsed, or a function not found in it
    ├── BaselineTestsFailed    the repository's tests fail before any change
    ├── PatchError             a patch that is malformed or does not apply
    ├── StateError             an unreadable file under .eco/ (names it and how to rebuild)
    └── ApplyError             --apply refused (dirty files, patch conflict)
"""

from __future__ import annotations


class EcoError(Exception):
    """Base class: a problem with the user's input or environment, shown as one line."""

    exit_code: int = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[type[EcoError], tuple[str]]:
        # Keep errors pickleable so they survive process pools.
        return (type(self), (self.message,))


class ConfigError(EcoError):
    """Raised when `[tool.eco]` or a command-line value is malformed; names the key and value."""


class NotAGitRepository(EcoError):
    """Raised when the repository argument is not inside a git work tree."""


class WorkloadError(EcoError):
    """Raised when the workload command is not a Python command, cannot start, or fails."""


class ProfileError(EcoError):
    """Raised when a profile file is missing, truncated, or not a profile eco can read."""


class SourceError(EcoError):
    """Raised when a repository file has a syntax error or a function's source is not found."""


class BaselineTestsFailed(EcoError):
    """Raised when the repository's own tests fail on the unchanged code."""


class PatchError(EcoError):
    """Raised when a patch is malformed, does not apply, or touches files it must not."""


class StateError(EcoError):
    """Raised when a file under `.eco/` cannot be read; the message says how to rebuild it."""


class ApplyError(EcoError):
    """Raised when `--apply` refuses to write (dirty files, conflicts)."""
