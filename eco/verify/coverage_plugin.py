"""A pytest plugin eco loads under ``coverage run``: one coverage context per test.

With it, coverage records which test executed each line, so eco can run only the
tests that exercise a target before paying for the whole suite.
"""

from __future__ import annotations

from typing import Any

import coverage


def pytest_runtest_setup(item: Any) -> None:
    cov = coverage.Coverage.current()
    if cov is not None:
        cov.switch_context(item.nodeid)


def pytest_runtest_teardown(item: Any) -> None:
    cov = coverage.Coverage.current()
    if cov is not None:
        cov.switch_context("")
