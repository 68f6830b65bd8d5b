"""`--apply`: write verified patches into the user's working tree, and only when it is safe."""

from __future__ import annotations

from pathlib import Path

from eco.errors import ApplyError
from eco.results import SuggestResult
from eco.verify.worktree import git


def apply_verified(result: SuggestResult) -> list[str]:
    """Apply every verified patch in ``result.root``; returns the files written.

    Refuses (before writing anything) when a file to patch has uncommitted changes, or
    when a patch no longer applies.
    """
    root: Path = result.root
    patches = [(r.hot.file, r.candidate.patch) for r in result.results if r.status == "verified" and r.candidate]
    if not patches:
        return []
    files = [file for file, _ in patches]
    dirty = [line for line in git(["status", "--porcelain", "--", *files], root).stdout.splitlines() if line.strip()]
    if dirty:
        first = dirty[0][3:]
        raise ApplyError(f"{first}: has uncommitted changes; commit or stash them, then run with --apply again")
    for file, patch in patches:
        check = git(["apply", "--check", "-"], root, input_text=patch, check=False)
        if check.returncode != 0:
            raise ApplyError(f"{file}: the verified patch no longer applies: {check.stderr.strip().splitlines()[0]}")
    for _file, patch in patches:
        git(["apply", "-"], root, input_text=patch)
    return files
