"""Function-level extraction: which functions changed, followed across renames; trivial edits dropped."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from eco.mine import MineOptions, iter_edits
from eco.mine.functions import changed_functions, function_diff, parse_file, trivial_reason
from tests.conftest import commit_all, git
from tests.mine.conftest import Mined, write

BEFORE = textwrap.dedent('''\
    import re


    def register(fn):
        return fn


    class Index:
        def lookup(self, items, wanted):
            return [w for w in items if w in wanted]

        @property
        def size(self):
            return 1

        @staticmethod
        def helper(x):
            return x


    def outer(rows):
        def inner(row):
            return row.strip()
        return [inner(r) for r in rows]


    @register
    def decorated(prices):
        return sorted(prices)[0]
''')


def changed(before: str, after: str) -> list[str]:
    return [a.qualname for _, a in changed_functions(parse_file(before.encode()), parse_file(after.encode()))]


def test_methods_nested_and_decorated_functions_are_named_as_python_does() -> None:
    after = (BEFORE.replace("if w in wanted]", "if w in wanted_set]").replace(
        "            return [w", "            wanted_set = set(wanted)\n            return [w")
        .replace("return row.strip()", "return row.strip().lower()")
        .replace("sorted(prices)[0]", "min(prices)"))
    assert changed(BEFORE, after) == ["Index.lookup", "outer.inner", "decorated"]


def test_an_edit_of_the_outer_function_alone_is_reported_for_it_only() -> None:
    after = BEFORE.replace("return [inner(r) for r in rows]", "return list(map(inner, rows))")
    assert changed(BEFORE, after) == ["outer"]


def test_a_decorator_change_is_an_edit_of_the_function() -> None:
    after = BEFORE.replace("    @staticmethod\n    def helper", "    @staticmethod\n    @functools.cache\n    def helper")
    assert changed(BEFORE, after) == ["Index.helper"]


def test_added_and_removed_functions_are_not_edits() -> None:
    after = BEFORE + "\n\ndef added():\n    return 2\n"
    assert changed(BEFORE, after) == []
    assert changed(after, BEFORE) == []


@pytest.mark.parametrize(("before", "after", "reason"), [
    ("def f(a):\n    return a+1\n", "def f(a):\n    return a + 1\n", "whitespace-only"),
    ("def f(a):\n    return a + 1\n", "def f(a):\n    # add one\n    return (a + 1)\n", "formatting-or-comments"),
    ("def f(a):\n    '''Old.'''\n    return a\n", "def f(a):\n    '''New.'''\n    return a\n", "docstring-only"),
    ("def f(a):\n    return a\n", "def f(a: int) -> int:\n    x: int = a\n    return x\n", ""),
    ("def f(a):\n    x = a\n    return x\n", "def f(a: int) -> int:\n    x: int = a\n    return x\n", "typing-only"),
    ("def f(items):\n    out = []\n    for i in items:\n        out.append(i)\n    return out\n",
     "def f(values):\n    result = []\n    for v in values:\n        result.append(v)\n    return result\n", "rename-only"),
    # A free name is not a local: list -> set changes behaviour.
    ("def f(a, b):\n    return a in list(b)\n", "def f(a, b):\n    return a in set(b)\n", ""),
    ("def f(a):\n    return a + 1\n", "def f(a):\n    return a + 2\n", ""),
    # Python 2 source: tokens are compared.
    ("def f(a):\n    print a\n", "def f(a):\n    print  a  # note\n", "formatting-or-comments"),
])
def test_trivial_edits(before: str, after: str, reason: str) -> None:
    assert trivial_reason(before, after) == reason


def test_function_diff_has_the_file_line_numbers() -> None:
    b, a = parse_file(BEFORE.encode()), parse_file(BEFORE.replace("sorted(prices)[0]", "min(prices)").encode())
    (fb, fa), = changed_functions(b, a)
    diff = function_diff("pkg/old.py", "pkg/new.py", fb, fa)
    line = BEFORE.splitlines().index("    return sorted(prices)[0]") + 1
    assert diff.startswith("--- a/pkg/old.py\n+++ b/pkg/new.py\n@@ -")
    assert f"-{line - 2}," in diff.splitlines()[2]
    assert "-    return sorted(prices)[0]\n+    return min(prices)\n" in diff


def test_renamed_files_are_followed(make_repo: object, tmp_path: Path) -> None:
    module = BEFORE + "".join(f"\n\ndef filler_{i}(x):\n    return x + {i}\n" for i in range(20))
    repo = make_repo({"pkg/old.py": module})  # type: ignore[operator]
    git(repo, "mv", "pkg/old.py", "pkg/new.py")
    write(repo, "pkg/new.py", module.replace("sorted(prices)[0]", "min(prices)"))
    sha = commit_all(repo, "Move old to new and speed up decorated 3x")
    edits = list(iter_edits(repo, MineOptions()))
    assert [(e.sha, e.old_file, e.file, e.qualname) for e in edits] == [(sha, "pkg/old.py", "pkg/new.py", "decorated")]
    assert edits[0].antipatterns == ("sorted-then-index",)
    assert "--- a/pkg/old.py\n+++ b/pkg/new.py" in edits[0].diff


def test_extracted_functions_match_the_labelled_history(mined: Mined) -> None:
    """Every stored edit is a function the labelled commit really changed, and every
    performance commit that was stored has all of its functions."""
    by_sha: dict[str, set[tuple[str, str]]] = {}
    for edit in mined.edits:
        by_sha.setdefault(edit.sha, set()).add((edit.file, edit.qualname))
    assert by_sha
    labels = {c.sha: c for c in mined.history.commits}
    for sha, functions in by_sha.items():
        assert functions == set(labels[sha].functions), labels[sha]
    places = {q.count(".") for fs in by_sha.values() for _, q in fs}
    assert places >= {0, 1}  # top-level, methods and nested functions all reach the database


def test_edits_carry_before_after_and_the_antipatterns_removed(mined: Mined) -> None:
    edit = next(e for e in mined.edits if e.antipatterns)
    assert edit.before != edit.after
    assert edit.before.lstrip().startswith(("def ", "@", "async def "))
    assert edit.diff.startswith(f"--- a/{edit.old_file}\n+++ b/{edit.file}\n@@ ")
    assert edit.author == "Dev One <dev@example.invalid>"
    assert edit.date.startswith("2023-")
    assert any(s.kind == "static" for s in edit.signals)
