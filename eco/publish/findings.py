"""`eco antipatterns check` output: text, JSON lines of findings, or SARIF 2.1.0."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from eco import __version__


class FindingLike(Protocol):
    id: str
    file: str
    line: int
    qualname: str
    fixable: bool
    message: str


class RuleLike(Protocol):
    id: str
    title: str
    why: str


def finding_dict(finding: FindingLike) -> dict[str, Any]:
    return {"id": finding.id, "file": finding.file, "line": finding.line, "qualname": finding.qualname,
            "fixable": finding.fixable, "message": finding.message}


def sarif_document(findings: Sequence[FindingLike], rules: Iterable[RuleLike]) -> dict[str, Any]:
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
                "informationUri": "https://github.com/eco-opt/eco",
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
                    "artifactLocation": {"uri": f.file, "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": max(1, f.line)},
                }}],
            } for f in findings],
        }],
    }
