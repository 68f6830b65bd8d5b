"""Running a repository's real pytest suite in a worktree, and finding the tests that cover a function."""

from __future__ import annotations

from pathlib import Path

from eco.sandbox import Limits
from eco.verify.selection import covering_tests
from eco.verify.testrun import run_tests
from tests.conftest import MakeRepo

FILES = {
    "pyproject.toml": "[tool.pytest.ini_options]\ntestpaths = ['tests']\n",
    "pkg/__init__.py": "",
    "pkg/mod.py": """\
        def double(x):
            return 2 * x


        def half(x):
            return x / 2
        """,
    "tests/test_mod.py": """\
        import os

        from pkg.mod import double, half


        def test_double():
            assert double(2) == 4


        class TestHalf:
            def test_half(self):
                assert half(4) == 2

            def test_broken(self):
                assert half(3) == 1


        def test_no_secrets():
            assert "ECO_TEST_SECRET" not in os.environ
        """,
}

COMMAND = "python -m pytest -q -p no:cacheprovider"


def test_counts_and_failing_node_ids(make_repo: MakeRepo, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("ECO_TEST_SECRET", "hunter2")
    root = make_repo(FILES)
    run = run_tests(root, COMMAND, Limits(timeout_s=120))
    assert (run.passed, run.failed, run.errors) == (3, 1, 0)
    assert run.failures == ("tests/test_mod.py::TestHalf::test_broken",)
    assert not run.ok
    again = run_tests(root, COMMAND, Limits(timeout_s=120), deselect=run.failures)
    assert (again.passed, again.failed) == (3, 0) and again.ok
    only = run_tests(root, COMMAND, Limits(timeout_s=120), select=["tests/test_mod.py::test_double"])
    assert (only.passed, only.failed) == (1, 0)


def test_collection_error_is_not_a_pass(make_repo: MakeRepo) -> None:
    root = make_repo({**FILES, "tests/test_bad.py": "import nonexistent_module\n"})
    run = run_tests(root, COMMAND, Limits(timeout_s=120))
    assert run.errors >= 1 and not run.ok


def test_timeout_is_reported(make_repo: MakeRepo) -> None:
    root = make_repo({**FILES, "tests/test_slow.py": "import time\n\ndef test_slow():\n    time.sleep(60)\n"})
    run = run_tests(root, COMMAND, Limits(timeout_s=5))
    assert run.timed_out and not run.ok


def test_covering_tests_come_from_coverage_contexts(make_repo: MakeRepo) -> None:
    root = make_repo(FILES)
    assert covering_tests(root, COMMAND, "pkg/mod.py", (1, 2), Limits(timeout_s=120)) == (
        "tests/test_mod.py::test_double",
    )
    assert covering_tests(root, COMMAND, "pkg/mod.py", (5, 6), Limits(timeout_s=120)) == (
        "tests/test_mod.py::TestHalf::test_broken",
        "tests/test_mod.py::TestHalf::test_half",
    )
    assert covering_tests(root, "make test", "pkg/mod.py", (1, 2), Limits(timeout_s=120)) is None


def test_non_pytest_command_uses_exit_status(make_repo: MakeRepo, tmp_path: Path) -> None:
    root = make_repo({**FILES, "check.py": "import sys\nsys.exit(0)\n"})
    run = run_tests(root, "python check.py", Limits(timeout_s=60))
    assert run.ok and run.passed == 1
