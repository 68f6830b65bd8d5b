"""Every unreadable index file gives one line naming the file and the command that rebuilds it."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from eco.cli import main
from eco.index import build_index


@pytest.fixture(params=["flat", "ivf", "hnsw"])
def index_dir(tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    directory = tmp_path / "ix"
    build_index(directory, catalog_only=True, index_type=request.param)
    assert json.loads((directory / "manifest.json").read_text())["index_type"] == request.param
    return directory


def _edit_manifest(**changes: object) -> Callable[[Path], str]:
    def edit(directory: Path) -> str:
        path = directory / "manifest.json"
        m = json.loads(path.read_text())
        m.update(changes)
        path.write_text(json.dumps(m))
        return "manifest.json"
    return edit


def _truncate(name: str) -> Callable[[Path], str]:
    def edit(directory: Path) -> str:
        path = directory / name
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
        return name
    return edit


def _remove(name: str) -> Callable[[Path], str]:
    def edit(directory: Path) -> str:
        (directory / name).unlink()
        return name
    return edit


def _garbage_manifest(directory: Path) -> str:
    (directory / "manifest.json").write_text("{not json")
    return "manifest.json"


CASES = {
    "truncated vectors": (_truncate("vectors.faiss"), "truncated or corrupt"),
    "truncated rows": (_truncate("precedents.jsonl"), "truncated or corrupt"),
    "missing vectors": (_remove("vectors.faiss"), "cannot be read"),
    "missing manifest": (_remove("manifest.json"), "no index here"),
    "corrupt manifest": (_garbage_manifest, "not a readable index manifest"),
    "other embedder version": (_edit_manifest(embedder_version="0"), "built with embedder bow 0"),
    "other dimension": (_edit_manifest(dimension=384), "dimension 384"),
    "newer format": (_edit_manifest(format_version=99), "newer than this eco"),
    "embedder that cannot load": (_edit_manifest(embedder="st:/nonexistent/model"), "cannot be loaded here"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_index_file(case: str, index_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit, expected = CASES[case]
    name = edit(index_dir)
    before = {p.name: p.read_bytes() for p in index_dir.iterdir()}
    assert main(["index", "stats", "--index", str(index_dir)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert str(index_dir / name) in err and expected in err
    assert "eco index build" in err
    # nothing rewritten behind the user's back, not even by a plain build
    assert main(["index", "build", "--catalog-only", "--index", str(index_dir)]) == 2 or case == "missing manifest"
    if case != "missing manifest":
        assert {p.name: p.read_bytes() for p in index_dir.iterdir()} == before


def test_edits_database_newer_than_eco(tmp_path: Path, edits_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    con = sqlite3.connect(edits_db)
    with con:
        con.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    con.close()
    assert main(["index", "build", "--db", str(edits_db), "--index", str(tmp_path / "ix")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and str(edits_db) in err and "newer than this eco" in err
    assert not (tmp_path / "ix").exists()


def test_not_a_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "edits.sqlite"
    bad.write_bytes(b"not sqlite at all" * 100)
    assert main(["index", "build", "--db", str(bad), "--index", str(tmp_path / "ix")]) == 2
    err = capsys.readouterr().err.strip()
    assert str(bad) in err and "eco mine --db" in err
    assert bad.read_bytes() == b"not sqlite at all" * 100


def test_rebuild_replaces_a_corrupt_index(index_dir: Path) -> None:
    _truncate("vectors.faiss")(index_dir)
    assert main(["index", "build", "--catalog-only", "--rebuild", "--index", str(index_dir)]) == 0
    assert main(["index", "stats", "--index", str(index_dir)]) == 0
