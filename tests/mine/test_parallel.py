"""Parallel mining: a local process pool and a real Dask LocalCluster on loopback, both merged
into one database with exactly what a serial run stores."""

from __future__ import annotations

from pathlib import Path

import pytest

from eco.cli import main
from eco.mine import EditsDB, MineOptions, Runner, mine
from eco.mine.labelled import build_history
from tests.mine.conftest import Mined


def fingerprints(db: Path) -> set[tuple[str, str, str]]:
    with EditsDB(db) as store:
        return {(e.repo, e.sha, e.fingerprint) for e in store.edits()}


def test_process_pool_matches_serial(mined: Mined, tmp_path: Path) -> None:
    db = tmp_path / "pool.sqlite"
    runner = Runner("pool", workers=2)
    report = mine([mined.history.root], db, MineOptions(batch_size=40), runner)
    assert runner.description == "a process pool of 2"
    assert report.commits == mined.report.commits
    assert fingerprints(db) == fingerprints(mined.db)


def test_dask_local_cluster_merges_many_repositories_into_one_database(mined: Mined, tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    second = build_history(tmp_path / "second", commits=40, seed=9)
    db = tmp_path / "dask.sqlite"
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=":0") as cluster:
        address = cluster.scheduler_address
        assert address.startswith("tcp://127.0.0.1:")
        assert main(["mine", str(mined.history.root), str(second.root), "--db", str(db), "--cluster", address,
                     "--batch-size", "30", "-q"]) == 0
    serial = tmp_path / "serial.sqlite"
    mine([second.root], serial, MineOptions(), Runner("serial"))
    # The same edit in both histories (same function, same before and after) is stored once.
    assert {f for _, _, f in fingerprints(db)} == {f for _, _, f in fingerprints(mined.db) | fingerprints(serial)}
    with EditsDB(db) as store:
        assert len(store.mined_shas(str(second.root))) == sum(c.kind != "merge" for c in second.commits)


@pytest.mark.slow
def test_workers_starts_a_local_cluster(mined: Mined, tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    db = tmp_path / "w.sqlite"
    runner = Runner("dask", workers=2)
    mine([mined.history.root], db, MineOptions(batch_size=40), runner)
    assert runner.description == "a Dask LocalCluster of 2 worker(s)"
    assert fingerprints(db) == fingerprints(mined.db)


def test_unreachable_cluster_is_one_error(mined: Mined, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("distributed")
    assert main(["mine", str(mined.history.root), "--db", str(tmp_path / "e.sqlite"),
                 "--cluster", "tcp://127.0.0.1:9", "-q"]) == 2
    err = capsys.readouterr().err
    assert "eco: error: cannot reach the Dask scheduler at tcp://127.0.0.1:9" in err
