"""`eco index build | query | stats` and `eco sweep` through the real CLI in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.index.conftest import SLOW, AddEdit


def eco(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    return subprocess.run([sys.executable, "-m", "eco", *args], cwd=cwd, input=stdin, capture_output=True,
                          text=True, env=env, timeout=120)


def test_build_query_stats(tmp_path: Path, edits_db: Path, add_edit: AddEdit) -> None:
    add_edit(sha="c" * 40)
    built = eco("index", "build", "--db", str(edits_db), "--json", cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    assert json.loads(built.stdout)["count"] > 1
    assert (tmp_path / ".eco" / "index" / "manifest.json").is_file()
    (tmp_path / "mod.py").write_text("import os\n\n\n" + SLOW)
    query = eco("index", "query", "mod.py::dedupe", "-k", "2", "--json", cwd=tmp_path)
    assert query.returncode == 0, query.stderr
    hits = json.loads(query.stdout)
    assert len(hits) == 2
    assert {"repo", "sha", "file", "qualname", "antipatterns", "score", "diff"} <= set(hits[0])
    assert (hits[0]["repo"], hits[0]["sha"]) == ("acme/widgets", "c" * 40)
    text = eco("index", "query", "--code", "-", "-k", "1", cwd=tmp_path, stdin=SLOW)
    assert text.returncode == 0 and "acme/widgets@cccccccccccc" in text.stdout
    stats = eco("index", "stats", "--json", cwd=tmp_path)
    assert json.loads(stats.stdout)["mined_edits"] == 1


def test_shipped_index_answers_without_mining(tmp_path: Path) -> None:
    code = "def f(xs):\n    out = []\n    for x in xs:\n        out.append(x * 2)\n    return out\n"
    query = eco("index", "query", "--code", "-", "-k", "3", "--json", cwd=tmp_path, stdin=code)
    assert query.returncode == 0, query.stderr
    hits = json.loads(query.stdout)
    assert hits[0]["repo"] == "eco/antipatterns"
    assert "append-loop-to-comprehension" in [h["sha"] for h in hits]


def test_sweep_ranks_the_look_alike_first(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(
        "def unrelated(path):\n    with open(path) as f:\n        return f.read()\n\n\n"
        "def doubled(values):\n    result = []\n    for v in values:\n        if v:\n"
        "            result.append(v * 2)\n    return result\n")
    out = eco("sweep", "append-loop-to-comprehension", str(tmp_path), "--json", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    hits = json.loads(out.stdout)
    assert [h["qualname"] for h in hits] == ["doubled", "unrelated"]
    assert hits[0]["similarity"] > hits[1]["similarity"]
    unknown = eco("sweep", "no-such-thing", str(tmp_path), cwd=tmp_path)
    assert unknown.returncode == 2 and "no precedent 'no-such-thing'" in unknown.stderr


def test_usage_errors(tmp_path: Path) -> None:
    both = eco("index", "query", "a.py::f", "--code", "-", cwd=tmp_path, stdin="")
    assert both.returncode == 2
    missing = eco("index", "query", "nope.py::f", cwd=tmp_path)
    assert missing.returncode == 2 and "nope.py" in missing.stderr
