"""`eco antipatterns list|show|check` through the real `python -m eco`: output formats and exit
codes (1 with findings, 0 clean, 2 for a file that cannot be read or parsed)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from eco.catalog import load_catalog

ECO = [sys.executable, "-m", "eco", "antipatterns"]

SLOW = textwrap.dedent(
    """
    def known(d: dict[str, int], keys: list[str]) -> int:
        return sum(1 for key in keys if key in d.keys())


    def first(prices: list[float]) -> float:
        return sorted(prices)[0]
    """
).lstrip()
CLEAN = "def add(a: int, b: int) -> int:\n    return a + b\n"


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*ECO, *args], cwd=cwd, capture_output=True, text=True, timeout=120)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "slow.py").write_text(SLOW)
    (tmp_path / "pkg" / "clean.py").write_text(CLEAN)
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / "vendored.py").write_text(SLOW)  # skipped, like other tools do
    return tmp_path


def test_list_json_is_one_object_per_entry() -> None:
    result = run("list", "--json")
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    catalog = load_catalog()
    assert [row["id"] for row in rows] == list(catalog.ids)
    assert len(rows) >= 30
    for row in rows:
        assert set(row) == {"id", "title", "category", "fixable", "equivalents"}
        entry = catalog.get(row["id"])
        assert row["fixable"] == (entry.fix is not None)
        assert row["equivalents"] == list(entry.equivalents)
    assert sum(row["fixable"] for row in rows) >= 15
    perf = {code for row in rows for code in row["equivalents"] if code.startswith("ruff:PERF")}
    assert perf == {f"ruff:PERF{n}" for n in (101, 102, 203, 401, 402, 403)}


def test_list_text_and_show() -> None:
    listed = run("list")
    assert listed.returncode == 0
    assert listed.stdout.startswith(f"{len(load_catalog())} anti-patterns")
    shown = run("show", "dict-items-unused-part")
    assert shown.returncode == 0, shown.stderr
    assert "dict-items-unused-part" in shown.stdout
    assert "ruff:PERF102" in shown.stdout
    as_json = run("show", "dict-items-unused-part", "--json")
    entry = json.loads(as_json.stdout)
    assert entry["fix"] == "dict_items_unused_part"
    assert "for weight in weights.values()" in entry["after"]


def test_show_unknown_id_is_a_usage_error() -> None:
    result = run("show", "no-such-thing")
    assert result.returncode == 2
    assert "unknown anti-pattern 'no-such-thing'" in result.stderr
    assert "Traceback" not in result.stderr


def test_check_json_is_one_object_per_finding_and_exits_1(tree: Path) -> None:
    result = run("check", "--json", "pkg", cwd=tree)
    assert result.returncode == 1, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["id"], r["file"], r["line"], r["qualname"], r["fixable"]) for r in rows] == [
        ("dict-keys-membership", "pkg/slow.py", 2, "known", True),
        ("sorted-then-index", "pkg/slow.py", 6, "first", False),
    ]
    for row in rows:
        assert set(row) == {"id", "file", "line", "qualname", "fixable", "message"}
    assert "not fixed:" in rows[1]["message"]


def test_check_text_names_file_line_and_id(tree: Path) -> None:
    result = run("check", "pkg/slow.py", cwd=tree)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("pkg/slow.py:2: dict-keys-membership [fixable] ")
    assert lines[1].startswith("pkg/slow.py:6: sorted-then-index [report] ")
    assert "eco: 2 finding(s)" in result.stderr


def test_clean_code_exits_0(tree: Path) -> None:
    result = run("check", "--json", "pkg/clean.py", cwd=tree)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("name", "data", "fragments"),
    [
        ("broken.py", b"x = 1\ndef f(:\n    pass\n", ("pkg/broken.py:", ": syntax error")),
        ("latin.py", b"x = '\xff'\n", ("pkg/latin.py: cannot be read",)),
    ],
)
def test_unreadable_or_unparsable_file_exits_2(
    tree: Path, name: str, data: bytes, fragments: tuple[str, ...]
) -> None:
    (tree / "pkg" / name).write_bytes(data)
    result = run("check", "--json", "pkg", cwd=tree)
    assert result.returncode == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("eco: error:")]
    assert len(errors) == 1, result.stderr
    assert all(fragment in errors[0] for fragment in fragments), errors[0]
    assert "Traceback" not in result.stderr
    # the other files were still checked
    assert {json.loads(line)["file"] for line in result.stdout.splitlines()} == {"pkg/slow.py"}


def test_missing_path_is_a_usage_error(tree: Path) -> None:
    result = run("check", "nowhere.py", cwd=tree)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def _check_sarif(document: dict[str, Any]) -> None:
    """The parts of SARIF 2.1.0 that GitHub code scanning requires, checked field by field."""
    assert document["version"] == "2.1.0"
    assert document["$schema"].endswith("sarif-2.1.0.json")
    (run_,) = document["runs"]
    driver = run_["tool"]["driver"]
    assert driver["name"] == "eco" and isinstance(driver["version"], str)
    rules = driver["rules"]
    ids = [rule["id"] for rule in rules]
    assert len(ids) == len(set(ids))
    for rule in rules:
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        assert rule["defaultConfiguration"]["level"] in ("none", "note", "warning", "error")
    for result in run_["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in ("none", "note", "warning", "error")
        assert result["message"]["text"]
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        assert physical["region"]["startLine"] >= 1
        uri = physical["artifactLocation"]["uri"]
        assert " " not in uri and "\\" not in uri
        if "uriBaseId" not in physical["artifactLocation"]:
            assert uri.startswith("file:///")


def test_check_sarif_is_sarif_2_1_0(tree: Path) -> None:
    (tree / "pkg" / "with space.py").write_text(SLOW)
    result = run("check", "--format", "sarif", "pkg", cwd=tree)
    assert result.returncode == 1, result.stderr
    document = json.loads(result.stdout)
    _check_sarif(document)
    results = document["runs"][0]["results"]
    uris = sorted(
        {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    )
    assert uris == ["pkg/slow.py", "pkg/with%20space.py"]
    assert len(document["runs"][0]["tool"]["driver"]["rules"]) == len(load_catalog())


def test_check_sarif_with_absolute_paths_uses_file_uris(tree: Path) -> None:
    result = run("check", "--format", "sarif", str(tree / "pkg" / "slow.py"))
    assert result.returncode == 1
    document = json.loads(result.stdout)
    _check_sarif(document)
    location = document["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": (tree / "pkg" / "slow.py").as_uri()}


def test_check_sarif_clean_has_no_results(tree: Path) -> None:
    result = run("check", "--format", "sarif", "pkg/clean.py", cwd=tree)
    assert result.returncode == 0
    document = json.loads(result.stdout)
    _check_sarif(document)
    assert document["runs"][0]["results"] == []
