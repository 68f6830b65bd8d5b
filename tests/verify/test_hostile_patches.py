"""Hostile patches: each is rejected with its reason, and the repository is left as it was."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from eco.config import load_config
from eco.verify.verifier import Verifier
from eco.verify.worktree import take_snapshot
from tests.conftest import git

TARGET = "textkit/stats.py"
ORIGINAL_BODY = "    return any([len(word) > limit for word in words])\n"


def _patch(root: Path, new_body: str, file: str = TARGET, old_body: str = ORIGINAL_BODY) -> str:
    old = (root / file).read_text()
    assert old_body in old
    new = old.replace(old_body, new_body)
    return "".join(difflib.unified_diff(old.splitlines(True), new.splitlines(True), f"a/{file}", f"b/{file}"))


@pytest.fixture
def verifier(example_repo: Path) -> Iterator[Verifier]:
    config = replace(load_config(example_repo), timeout=10.0, memory_mb=1024)
    with Verifier(take_snapshot(example_repo), config, captures=None) as v:
        v.check_baseline()
        yield v


def _status(root: Path) -> tuple[str, str]:
    return git(root, "status", "--porcelain"), git(root, "worktree", "list")


@pytest.mark.parametrize(
    ("body", "stage", "reason"),
    [
        ("    return any(len(word) > limit for word in words\n", "compile", "syntax error"),
        ("    import shutil\n    shutil.rmtree('.')\n    return False\n", "scope", "shutil"),
        ("    import urllib.request\n    urllib.request.urlopen('http://127.0.0.1:9')\n    return False\n",
         "scope", "urllib"),
        ("    import subprocess\n    subprocess.run(['true'])\n    return False\n", "scope", "subprocess"),
        ("    return eval('False')\n", "scope", "eval"),
        ("    while True:\n        pass\n", "tests", "timed out"),
        ("    hog = bytearray(8 * 1024 ** 3)\n    return bool(hog)\n", "tests", "fail"),
        ("    return False\n", "tests", "test_has_long_word"),
    ],
)
def test_rejected_with_reason(verifier: Verifier, example_repo: Path, body: str, stage: str, reason: str) -> None:
    before = _status(example_repo)
    verdict = verifier.verify(TARGET, "has_long_word", _patch(example_repo, body))
    assert verdict.status == "rejected"
    assert verdict.reason.startswith(f"{stage}:"), verdict.reason
    assert reason in verdict.reason
    assert verdict.stages[-1].name == stage and not verdict.stages[-1].ok
    assert _status(example_repo) == before


def test_patch_that_does_not_apply(verifier: Verifier, example_repo: Path) -> None:
    patch = _patch(example_repo, "    return False\n").replace("    return any([len", "    return all([len")
    verdict = verifier.verify(TARGET, "has_long_word", patch)
    assert verdict.reason.startswith("compile: the patch does not apply")


def test_patch_that_touches_another_file(verifier: Verifier, example_repo: Path) -> None:
    patch = _patch(example_repo, "    return 'x'\n", file="textkit/tokens.py",
                   old_body='    return " ".join(text.split())\n')
    verdict = verifier.verify(TARGET, "has_long_word", patch)
    assert verdict.reason == f"compile: the patch must change exactly {TARGET}, it touches textkit/tokens.py"


def test_patch_that_changes_another_function(verifier: Verifier, example_repo: Path) -> None:
    patch = _patch(example_repo, "    return []\n", old_body="    return [word for word in left if word in right]\n")
    verdict = verifier.verify(TARGET, "has_long_word", patch)
    assert verdict.reason == "scope: the candidate changes code outside has_long_word"


def test_empty_patch(verifier: Verifier) -> None:
    verdict = verifier.verify(TARGET, "has_long_word", "")
    assert verdict.status == "rejected" and verdict.reason.startswith("compile:")


def test_no_captured_calls_means_no_speedup_claim(verifier: Verifier, example_repo: Path) -> None:
    verdict = verifier.verify(TARGET, "has_long_word",
                              _patch(example_repo, "    return any(len(word) > limit for word in words)\n"))
    assert verdict.status == "rejected"
    assert verdict.reason.startswith("benchmark: no captured calls")
    assert any("tests alone" in note for note in verdict.notes)
