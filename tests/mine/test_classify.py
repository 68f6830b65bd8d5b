"""The classifier: weighted evidence, precision/recall on a labelled history, and --explain."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eco.cli import main
from eco.mine import explain
from eco.mine.classify import changelog_signals, message_signals, score
from tests.mine.conftest import Mined


def verdict(message: str) -> float:
    return score(message_signals(message))


@pytest.mark.parametrize("message", [
    "Speed up tokenize by 40%",
    "perf: avoid quadratic scan in parse_rows",
    "PERF: groupby.apply 2x faster (#1234)",
    "Optimise the lexer's hot loop",
    "Avoid copying the buffer on every read",
    "Make lookup O(1) instead of O(n)",
    "Improve performance of Table.merge",
    "Use a set for membership\n\nPerformance: 2.3x on bench_lookup",
    "[perf] cache compiled patterns",
    "Rework render\n\nBefore: 120 ms\nAfter: 40 ms",
])
def test_performance_messages(message: str) -> None:
    assert verdict(message) >= 0.5, message_signals(message)


@pytest.mark.parametrize("message", [
    "Speed up CI by caching pip",
    "Faster test suite: share fixtures",
    "Mark slow tests",
    "Optimize imports",
    "Fix cache invalidation bug in loader",
    "Add type hints to parser",
    "docs: explain why the faster path is safe",
    "Fix off-by-one in paginate",
    "Refactor the parser",
    "Revert \"Speed up tokenize\"\n\nThis reverts commit 0123456789abcdef.",
    "Bump version to 2.1",
])
def test_non_performance_messages(message: str) -> None:
    assert verdict(message) < 0.5, message_signals(message)


def test_negative_phrases_hide_their_positive_words() -> None:
    kinds = {(s.kind, s.detail.split(":")[0]) for s in message_signals("Speed up CI with a pip cache")}
    assert ("negative", "faster CI/tests") in kinds
    assert not any(k == "message" for k, _ in kinds)


def test_trailers_and_labels() -> None:
    signals = message_signals("Rework the loader\n\nLabels: performance, loader\nSigned-off-by: A <a@b>")
    assert [(s.kind, s.weight) for s in signals] == [("trailer", 2.5)]
    assert any(s.weight < 0 for s in message_signals("Tidy things up\n\nType: docs"))


def test_changelog_lines_about_speed_count() -> None:
    (signal,) = changelog_signals({"CHANGES.rst": ["- ``render`` is 3x faster on long documents."]}, [])
    assert signal.kind == "changelog" and signal.weight > 0
    assert changelog_signals({"CHANGES.rst": ["- Fix a crash in render."]}, []) == []
    assert changelog_signals({}, ["changes/123.perf.rst"])[0].weight > 0


def test_precision_and_recall_on_the_labelled_history(mined: Mined) -> None:
    """The acceptance bar: precision >= 0.8 at recall >= 0.6, on commits eco decides about."""
    tp = fp = fn = 0
    for commit in mined.history.commits:
        status = mined.status.get(commit.sha)
        predicted = bool(status and status[0] == "mined" and status[1] >= 0.5)
        tp += predicted and commit.perf
        fp += predicted and not commit.perf
        fn += commit.perf and not predicted
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    assert precision >= 0.8 and recall >= 0.6, (precision, recall)


def test_excluded_commits_store_nothing(mined: Mined) -> None:
    stored = {e.sha for e in mined.edits}
    for commit in mined.history.commits:
        if commit.kind in ("revert", "reverted-perf", "merge", "vendored", "generated", "tests", "ci", "docstring",
                           "format", "rename", "typing", "comment", "imports"):
            assert commit.sha not in stored, commit


def test_cherry_picked_edit_is_stored_once(mined: Mined) -> None:
    picked = next(c for c in mined.history.commits if c.kind == "cherry-pick")
    (file, qualname), = picked.functions
    copies = [e for e in mined.edits if (e.file, e.qualname) == (file, qualname) and "with a set" in e.message]
    assert len(copies) == 1
    assert mined.report.duplicates >= 1
    # The earliest copy is the one kept: the commit on the maintenance branch.
    original = next(c for c in mined.history.commits if c.message.startswith(picked.message.split("\n")[0])
                    and c.kind == "perf")
    assert copies[0].sha == original.sha


def test_explain_lists_every_piece_of_evidence(mined: Mined) -> None:
    commit = next(c for c in mined.history.commits if c.kind == "perf" and c.sha in {e.sha for e in mined.edits})
    explanation = explain(mined.history.root, commit.sha[:10])
    assert explanation.sha == commit.sha and explanation.performance
    text = "\n".join(explanation.lines())
    assert "verdict: performance edit(s) stored" in text
    (file, qualname), = commit.functions
    assert f"{file}::{qualname}" in text


def test_explain_says_why_a_commit_is_excluded(mined: Mined) -> None:
    reverted = next(c for c in mined.history.commits if c.kind == "reverted-perf")
    explanation = explain(mined.history.root, reverted.sha)
    assert explanation.excluded.startswith("reverted later by ")
    assert not explanation.performance
    docs = next(c for c in mined.history.commits if c.kind == "docstring")
    functions = explain(mined.history.root, docs.sha).functions
    assert [f.dropped for f in functions] == ["docstring-only"]


def test_explain_from_the_command_line(mined: Mined, capsys: pytest.CaptureFixture[str]) -> None:
    commit = next(c for c in mined.history.commits if c.kind == "tests")
    assert main(["mine", str(mined.history.root), "--explain", commit.sha, "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["performance"] is False
    assert any(s["kind"] == "shape" and s["weight"] < 0 for s in document["signals"])


def test_explain_of_an_unknown_commit(tmp_path: Path, mined: Mined, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["mine", str(mined.history.root), "--explain", "deadbeef"]) == 2
    assert "eco: error:" in capsys.readouterr().err
