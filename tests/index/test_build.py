"""Building, updating, querying and deleting, through the stage's entries."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from eco.catalog import load_catalog
from eco.index import PrecedentIndex, build_index, open_index, precedents_for
from tests.index.conftest import SLOW, AddEdit


def test_catalog_example_finds_its_own_entry(tmp_path: Path) -> None:
    build_index(tmp_path / "ix", catalog_only=True)
    index = open_index(tmp_path / "ix")
    catalog = list(load_catalog())
    top1 = sum(index.query(entry.before, k=1)[0].sha == entry.id for entry in catalog)
    assert top1 == len(catalog)
    stats = index.stats()
    assert (stats.count, stats.catalog_entries, stats.mined_edits, stats.stale) == (len(catalog), len(catalog), 0, False)


def test_incremental_add_and_delete_of_reverted_edits(tmp_path: Path, edits_db: Path, add_edit: AddEdit) -> None:
    first = add_edit()
    report = build_index(tmp_path / "ix", edits_db)
    assert report.rebuilt and report.count == len(load_catalog()) + 1
    second = add_edit(sha="b" * 40, qualname="other")
    report = build_index(tmp_path / "ix", edits_db)
    assert (report.rebuilt, report.added, report.deleted) == (False, 1, 0)
    # eco mine deletes the edits of a commit that was later reverted
    con = sqlite3.connect(edits_db)
    with con:
        con.execute("DELETE FROM edits WHERE id = ?", (first,))
    con.close()
    report = build_index(tmp_path / "ix", edits_db)
    assert (report.added, report.deleted) == (0, 1)
    index = PrecedentIndex.open(tmp_path / "ix")
    assert first not in index.rows and second in index.rows
    hits = precedents_for(index, SLOW, k=3)
    assert hits[0].repo == "acme/widgets" and hits[0].sha == "b" * 40
    assert hits[0].score > hits[1].score
