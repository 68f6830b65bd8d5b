"""The shipped index/ is current with antipatterns/ (and so answers on a fresh install)."""

from __future__ import annotations

import json
from pathlib import Path

from eco.index import PrecedentIndex, catalog_checksum, shipped_index_dir

REBUILD = "python -m eco index build --catalog-only --rebuild --index index/"


def test_shipped_index_is_not_stale() -> None:
    directory = shipped_index_dir()
    manifest = json.loads((directory / "manifest.json").read_text())
    assert manifest["catalog_sha256"] == catalog_checksum(), (
        f"{directory} is stale against antipatterns/ (the catalog changed since it was built); "
        f"rebuild it with `{REBUILD}` and commit index/")
    index = PrecedentIndex.open(directory)
    assert index.stats().mined_edits == 0


def test_shipped_index_uses_an_embedder_every_install_has() -> None:
    manifest = json.loads((shipped_index_dir() / "manifest.json").read_text())
    assert manifest["embedder"] == "bow", "a fresh install has no torch: index/ must not need a model"
    assert Path(shipped_index_dir()).name in ("index", "data")
