"""Shared fixtures: real git repositories built in tmp_path, and a guarded environment."""

from __future__ import annotations

import os
import shutil
import subprocess
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from github_standin import GitHubStandin

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "textkit"

_GIT_ENV = {
    "GIT_AUTHOR_NAME": "eco tests",
    "GIT_AUTHOR_EMAIL": "eco@example.invalid",
    "GIT_COMMITTER_NAME": "eco tests",
    "GIT_COMMITTER_EMAIL": "eco@example.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
}


@pytest.fixture(autouse=True)
def _git_identity(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for key, value in _GIT_ENV.items():
        monkeypatch.setenv(key, value)
    yield


def git(cwd: Path, *args: str) -> str:
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True,
                            env={**os.environ, **_GIT_ENV})
    return result.stdout


def commit_all(repo: Path, message: str = "snapshot") -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--no-verify", "-m", message)
    return git(repo, "rev-parse", "HEAD").strip()


MakeRepo = Callable[..., Path]


@pytest.fixture
def make_repo(tmp_path: Path) -> MakeRepo:
    """Build a real git repository from ``{relative path: source}`` and commit it."""

    def make(files: dict[str, str], name: str = "repo", commit: bool = True) -> Path:
        root = tmp_path / name
        root.mkdir(parents=True, exist_ok=True)
        git(root, "init", "-q", "-b", "main")
        for rel, text in files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text), encoding="utf-8")
        (root / ".gitignore").write_text(".eco/\n__pycache__/\n", encoding="utf-8")
        if commit:
            commit_all(root, "initial")
        return root

    return make


@pytest.fixture
def example_repo(tmp_path: Path) -> Path:
    """A private git copy of the bundled textkit example."""
    root = tmp_path / "textkit"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".eco", "__pycache__", ".pytest_cache"))
    git(root, "init", "-q", "-b", "main")
    (root / ".gitignore").write_text(".eco/\n__pycache__/\n", encoding="utf-8")
    commit_all(root, "textkit")
    return root


@pytest.fixture
def github_standin(tmp_path: Path) -> Iterator[GitHubStandin]:
    """A running local GitHub stand-in (tests/github_standin.py): REST wire format on
    127.0.0.1 backed by real bare git repositories, with an App key pair of its own."""
    with GitHubStandin(tmp_path / "github") as standin:
        yield standin
