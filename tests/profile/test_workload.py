from __future__ import annotations

from pathlib import Path

import pytest

from eco.errors import WorkloadError
from eco.profile import python_argv


def test_python_commands(tmp_path: Path) -> None:
    (tmp_path / "run.py").write_text("print(1)\n")
    assert python_argv("python run.py --n 3", tmp_path) == [str(tmp_path / "run.py"), "--n", "3"]
    assert python_argv("python3 -m pkg.cli go", tmp_path) == ["-m", "pkg.cli", "go"]
    assert python_argv("pytest -q tests", tmp_path) == ["-m", "pytest", "-q", "tests"]


@pytest.mark.parametrize(
    ("command", "message"),
    [
        ("", "empty"),
        ("make bench", "not a Python command"),
        ("python", "names no script"),
        ("python missing.py", "not found"),
        ("python -X dev run.py", "not supported"),
        ("python 'unclosed", "cannot be parsed"),
    ],
)
def test_refused(tmp_path: Path, command: str, message: str) -> None:
    with pytest.raises(WorkloadError, match=message):
        python_argv(command, tmp_path)
