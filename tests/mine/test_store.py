"""The edits database: schema version, migrations, and files it cannot read."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from eco.cli import main
from eco.errors import StateError
from eco.mine import SCHEMA_VERSION, CommitOutcome, EditsDB, MinedEdit, Signal
from eco.mine.store import _V1


def edit(sha: str, date: str, fingerprint: str = "f1") -> MinedEdit:
    return MinedEdit(repo="o/r", sha=sha, date=date, author="A <a@b>", message="Speed up f\n", file="m.py",
                     qualname="f", before="def f():\n    return 1\n", after="def f():\n    return 2\n",
                     diff="--- a/m.py\n+++ b/m.py\n", antipatterns=("sorted-then-index",), score=0.9,
                     signals=(Signal("message", 2.5, "speed up: 'Speed up'"),), fingerprint=fingerprint)


def test_a_new_database_has_the_current_schema(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "edits.sqlite"
    with EditsDB(path) as db:
        assert db.count() == 0
    version = sqlite3.connect(path).execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    assert version == (str(SCHEMA_VERSION),)


def test_round_trip_and_earliest_copy_wins(tmp_path: Path) -> None:
    with EditsDB(tmp_path / "e.sqlite") as db:
        assert db.store_batch("o/r", "/r", [CommitOutcome("b" * 40, "mined", 0.9, 1)],
                              [edit("b" * 40, "2024-05-02T10:00:00+02:00")], []) != []
        # The same edit, cherry-picked earlier in time elsewhere: it replaces the later copy.
        assert db.store_batch("o/r", "/r", [], [edit("a" * 40, "2024-05-01T10:00:00+00:00")], []) != []
        # A later copy is not stored.
        assert db.store_batch("o/r", "/r", [], [edit("c" * 40, "2024-06-01T10:00:00+00:00")], []) == []
        (stored,) = list(db.edits())
        assert stored.sha == "a" * 40
        assert stored.signals == edit("x", "2024-01-01").signals
        assert stored.antipatterns == ("sorted-then-index",)
        assert db.mined_shas("o/r") == {"b" * 40}


def test_a_version_1_database_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    old = sqlite3.connect(path)
    old.executescript(_V1)
    old.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    old.execute("INSERT INTO repos (id, name, path) VALUES (1, 'o/r', '/r')")
    old.execute("INSERT INTO edits (repo_id, sha, date, author, message, file, qualname, before, after, diff, "
                "antipatterns, score, signals, fingerprint) VALUES (1, 'abc', '2024-01-01T00:00:00+00:00', 'A', "
                "'m', 'm.py', 'f', 'b', 'a', 'd', '[]', 0.7, '[]', 'fp')")
    old.commit()
    old.close()
    with EditsDB(path) as db:
        (stored,) = list(db.edits())
        assert stored.old_file == "m.py" and stored.sha == "abc"
    assert sqlite3.connect(path).execute("SELECT value FROM meta WHERE key='schema_version'").fetchone() == ("2",)


def test_a_newer_database_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite"
    with EditsDB(path):
        pass
    con = sqlite3.connect(path)
    con.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    con.commit()
    con.close()
    before = path.read_bytes()
    with pytest.raises(StateError, match=r"new\.sqlite: edits database schema version 99 is newer"):
        EditsDB(path)
    assert path.read_bytes() == before


@pytest.mark.parametrize("content", [b"this is not sqlite at all" * 100, b"SQLite format 3\0" + b"\xff" * 200])
def test_a_file_that_is_not_a_database_names_itself(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "edits.sqlite"
    path.write_bytes(content)
    with pytest.raises(StateError, match=r"edits\.sqlite: not a readable eco edits database.*eco mine"):
        EditsDB(path)
    assert path.read_bytes() == content


def test_another_programs_database_is_not_touched(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    with pytest.raises(StateError, match="not an eco edits database"):
        EditsDB(path)


def test_the_cli_says_which_file(tmp_path: Path, make_repo: object, capsys: pytest.CaptureFixture[str]) -> None:
    repo = make_repo({"m.py": "def f():\n    return 1\n"})  # type: ignore[operator]
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"garbage" * 50)
    assert main(["mine", str(repo), "--db", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.count("eco: error:") == 1 and "bad.sqlite" in err
