"""Temporary git worktrees: where every candidate (and the baseline) is built and run.

The user's working tree is never touched. A snapshot is the working tree as it is now:
``git stash create`` records tracked changes in a commit without touching the index or
the files, and untracked (not ignored) files under the project are copied in.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from eco.errors import NotAGitRepository, PatchError


def git(args: list[str], cwd: Path, input_text: str | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run git with a fixed, quiet configuration."""
    result = subprocess.run(
        ["git", "-c", "core.hooksPath=/dev/null", "-c", "advice.detachedHead=false", *args],
        cwd=cwd, input=input_text, capture_output=True, text=True, check=False,
    )
    if check and result.returncode != 0:
        raise subprocess.CalledProcessError(result.returncode, ["git", *args], result.stdout, result.stderr)
    return result


@dataclass(frozen=True)
class Snapshot:
    """The state of the user's tree that every worktree reproduces."""

    git_root: Path
    #: The project directory relative to the git root ("" when they are the same).
    project_rel: str
    #: Commit holding HEAD plus uncommitted tracked changes.
    commit: str
    #: Untracked, not ignored files under the project, relative to the git root.
    untracked: tuple[str, ...]


def take_snapshot(project: Path) -> Snapshot:
    """Record the working tree of the repository that contains ``project``."""
    if not project.is_dir():
        raise NotAGitRepository(f"{project}: not a directory")
    top = git(["rev-parse", "--show-toplevel"], project, check=False)
    if top.returncode != 0:
        raise NotAGitRepository(f"{project}: not a git repository (eco needs git to build isolated worktrees; run `git init` and commit)")
    root = Path(top.stdout.strip()).resolve()
    head = git(["rev-parse", "--verify", "-q", "HEAD"], root, check=False)
    if head.returncode != 0:
        raise NotAGitRepository(f"{root}: the git repository has no commits yet; commit your code first")
    stash = git(["stash", "create"], root, check=False).stdout.strip()
    commit = stash or head.stdout.strip()
    rel = Path(project.resolve()).relative_to(root).as_posix()
    rel = "" if rel == "." else rel
    others = git(["ls-files", "--others", "--exclude-standard", "-z", "--", rel or "."], root).stdout
    untracked = tuple(p for p in others.split("\0") if p and not p.startswith(".eco/") and "/.eco/" not in p)
    return Snapshot(git_root=root, project_rel=rel, commit=commit, untracked=untracked)


@contextmanager
def worktree(snapshot: Snapshot, prefix: str = "eco-wt-") -> Iterator[Path]:
    """A fresh detached worktree of the snapshot; yields the project directory inside it.

    Removed on success, failure and Ctrl-C alike.
    """
    base = Path(tempfile.mkdtemp(prefix=prefix))
    tree = base / "tree"
    try:
        git(["worktree", "add", "--detach", "--quiet", str(tree), snapshot.commit], snapshot.git_root)
        for rel in snapshot.untracked:
            source = snapshot.git_root / rel
            if source.is_file():
                target = tree / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target)
        yield tree / snapshot.project_rel if snapshot.project_rel else tree
    finally:
        git(["worktree", "remove", "--force", str(tree)], snapshot.git_root, check=False)
        shutil.rmtree(base, ignore_errors=True)
        git(["worktree", "prune"], snapshot.git_root, check=False)


def patched_files(patch: str) -> list[str]:
    """Repository-relative paths a unified diff touches (from ``+++``/``---`` headers)."""
    files: list[str] = []
    for line in patch.splitlines():
        if line.startswith(("--- ", "+++ ")):
            name = line[4:].split("\t")[0].strip()
            if name == "/dev/null":
                continue
            if name.startswith(("a/", "b/")):
                name = name[2:]
            if name not in files:
                files.append(name)
    return files


def apply_patch(project_dir: Path, patch: str) -> None:
    """Apply a project-relative unified diff in a worktree's project directory."""
    if not patch.strip():
        raise PatchError("the patch is empty")
    if not patch.endswith("\n"):
        patch += "\n"
    check = git(["apply", "--check", "--whitespace=nowarn", "-"], project_dir, input_text=patch, check=False)
    if check.returncode != 0:
        detail = (check.stderr.strip().splitlines() or ["rejected by git apply"])[0]
        raise PatchError(f"the patch does not apply: {detail.removeprefix('error: ')}")
    git(["apply", "--whitespace=nowarn", "-"], project_dir, input_text=patch)
