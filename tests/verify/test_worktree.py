"""Worktrees reproduce the user's tree exactly and never touch it."""

from __future__ import annotations

from pathlib import Path

import pytest

from eco.errors import NotAGitRepository, PatchError
from eco.verify.worktree import apply_patch, patched_files, take_snapshot, worktree
from tests.conftest import MakeRepo, git

PATCH = """\
--- a/pkg/mod.py
+++ b/pkg/mod.py
@@ -1,2 +1,2 @@
 def f(x):
-    return x + 1
+    return 1 + x
"""


def test_snapshot_carries_uncommitted_and_untracked_work(make_repo: MakeRepo) -> None:
    root = make_repo({"pkg/mod.py": "def f(x):\n    return x + 1\n"})
    (root / "pkg" / "mod.py").write_text("def f(x):\n    return x + 2\n")
    (root / "pkg" / "new.py").write_text("NEW = 1\n")
    (root / ".eco").mkdir()
    (root / ".eco" / "state").write_text("ignored")
    before = git(root, "status", "--porcelain")
    snap = take_snapshot(root)
    with worktree(snap) as tree:
        assert (tree / "pkg" / "mod.py").read_text() == "def f(x):\n    return x + 2\n"
        assert (tree / "pkg" / "new.py").read_text() == "NEW = 1\n"
        assert not (tree / ".eco").exists()
        kept = tree
    assert not kept.exists()
    assert git(root, "status", "--porcelain") == before
    assert "eco-wt" not in git(root, "worktree", "list")


def test_subdirectory_project_and_patch(make_repo: MakeRepo) -> None:
    root = make_repo({"proj/pkg/mod.py": "def f(x):\n    return x + 1\n", "other.txt": "x"})
    snap = take_snapshot(root / "proj")
    assert snap.project_rel == "proj"
    with worktree(snap) as project:
        apply_patch(project, PATCH)
        assert "return 1 + x" in (project / "pkg" / "mod.py").read_text()
    assert "return x + 1" in (root / "proj" / "pkg" / "mod.py").read_text()


def test_worktree_removed_when_the_body_fails(make_repo: MakeRepo) -> None:
    root = make_repo({"a.py": "A = 1\n"})
    seen: list[Path] = []
    with pytest.raises(RuntimeError), worktree(take_snapshot(root)) as tree:
        seen.append(tree)
        raise RuntimeError("boom")
    assert not seen[0].exists()


def test_bad_patches(make_repo: MakeRepo) -> None:
    root = make_repo({"pkg/mod.py": "def f(x):\n    return x\n"})
    with worktree(take_snapshot(root)) as tree:
        with pytest.raises(PatchError, match="does not apply"):
            apply_patch(tree, PATCH)
        with pytest.raises(PatchError, match="empty"):
            apply_patch(tree, "  \n")
    assert patched_files(PATCH) == ["pkg/mod.py"]


def test_not_a_repository(tmp_path: Path, make_repo: MakeRepo) -> None:
    with pytest.raises(NotAGitRepository, match="not a git repository"):
        take_snapshot(tmp_path)
    empty = make_repo({"a.py": ""}, name="empty", commit=False)
    with pytest.raises(NotAGitRepository, match="no commits"):
        take_snapshot(empty)
