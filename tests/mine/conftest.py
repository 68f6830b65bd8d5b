"""Fixtures: labelled histories (real git repositories) and a database mined from one."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from eco.mine import EditsDB, MinedEdit, MineOptions, MineReport, Runner, mine
from eco.mine.labelled import LabelledHistory, build_history


@dataclass(frozen=True)
class Mined:
    history: LabelledHistory
    db: Path
    report: MineReport
    edits: tuple[MinedEdit, ...]
    status: dict[str, tuple[str, float, int]]


@pytest.fixture(scope="session")
def labelled(tmp_path_factory: pytest.TempPathFactory) -> LabelledHistory:
    return build_history(tmp_path_factory.mktemp("labelled") / "repo", commits=120, seed=1)


@pytest.fixture(scope="session")
def mined(labelled: LabelledHistory, tmp_path_factory: pytest.TempPathFactory) -> Mined:
    db = tmp_path_factory.mktemp("mined") / "edits.sqlite"
    report = mine([labelled.root], db, MineOptions(batch_size=40), Runner("serial"))
    with EditsDB(db) as store:
        edits = tuple(store.edits())
        status = store.commit_status(report.repos[0])
    return Mined(labelled, db, report, edits, status)


def write(repo: Path, rel: str, text: str | bytes) -> None:
    path = repo / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
