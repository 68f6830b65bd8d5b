"""`eco antipatterns check` output: text, JSON lines of findings, or SARIF 2.1.0."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from eco import __version__
from eco.catalog import AntiPattern
from eco.draft import Finding


def finding_dict(finding: Finding) -> dict[str, Any]:
    return {"id": finding.id, "file": finding.file, "line": finding.line, "qualname": finding.qualname,
            "fixable": finding.fixable, "message": finding.message}


def sarif_document(findings: Sequence[Finding], rules: Iterable[AntiPattern]) -> dict[str, Any]:
    """A SARIF 2.1.0 log that GitHub code scanning accepts."""
    rule_list = sorted(rules, key=lambda r: r.id)
    index = {r.id: i for i, r in enumerate(rule_list)}
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "eco",
                "version": __version__,
                "rules": [{
                    "id": r.id,
                    "name": r.id,
                    "shortDescription": {"text": r.title},
                    "fullDescription": {"text": r.why},
                    "defaultConfiguration": {"level": "warning"},
                } for r in rule_list],
            }},
            "results": [{
                "ruleId": f.id,
                **({"ruleIndex": index[f.id]} if f.id in index else {}),
                "level": "warning",
                "message": {"text": f.message},
                "locations": [{"physicalLocation": {
                    "artifactLocation": _artifact(f.file),
                    "region": {"startLine": max(1, f.line)},
                }}],
            } for f in findings],
        }],
    }


def _artifact(file: str) -> dict[str, str]:
    """A SARIF artifactLocation: a URI reference relative to the checkout, or a file: URI."""
    path = Path(file)
    if path.is_absolute():
        return {"uri": path.as_uri()}
    return {"uri": quote(path.as_posix()), "uriBaseId": "%SRCROOT%"}


_SKIP_DIRS = frozenset({".git", ".eco", ".venv", "venv", "__pycache__", ".tox", ".nox", "node_modules",
                        "site-packages", ".mypy_cache", ".ruff_cache", ".pytest_cache", "build", "dist"})


def python_files(paths: Iterable[Path]) -> list[Path]:
    """The ``.py`` files named, and those under the directories named, in a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*.py")):
                if not _SKIP_DIRS.intersection(child.relative_to(path).parts[:-1]):
                    found.append(child)
        else:
            found.append(path)
    return found
