"""A pytest plugin eco loads into a repository's test run to read exact outcomes.

It writes one JSON document to the path in ``ECO_TEST_RESULTS``: the node id and
outcome of every test, and every collection error. Exact node ids (unlike JUnit XML's
class names) let eco rerun, select and deselect precisely.
"""

from __future__ import annotations

import json
import os
from typing import Any

_outcomes: dict[str, str] = {}
_collection_errors: list[str] = []


def pytest_collectreport(report: Any) -> None:
    if report.failed:
        _collection_errors.append(report.nodeid or "<collection>")


def pytest_runtest_logreport(report: Any) -> None:
    previous = _outcomes.get(report.nodeid)
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        outcome = report.outcome if report.when == "call" else ("error" if report.failed else report.outcome)
        _outcomes[report.nodeid] = outcome
    elif report.when == "teardown" and report.failed and previous != "failed":
        _outcomes[report.nodeid] = "error"


def pytest_sessionfinish(session: Any, exitstatus: int) -> None:
    path = os.environ.get("ECO_TEST_RESULTS")
    if not path:
        return
    with open(path, "w", encoding="utf-8") as handle:
        json.dump({"outcomes": _outcomes, "collection_errors": _collection_errors,
                   "exitstatus": int(exitstatus)}, handle)
