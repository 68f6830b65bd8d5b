"""Model output handling: whole functions, fenced blocks and diffs in; anything else refused."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from _draft_helpers import dedent, make_target

from eco.draft.llm import Edit, Refusal, parse_response

MODULE = dedent('''
    """Words."""

    import re


    def helper(x):
        return x


    class Index:
        """An index."""

        def find(self, items, wanted):
            out = []
            for item in items:
                if item in wanted:
                    out.append(item)
            return out

        def other(self):
            return 1
''')

GOOD = dedent('''
    def find(self, items, wanted):
        wanted = set(wanted)
        return [item for item in items if item in wanted]
''')


def target():  # type: ignore[no-untyped-def]
    return make_target(MODULE, "Index.find")


def edit(text: str) -> Edit:
    result = parse_response(text, target())
    assert isinstance(result, Edit), result
    return result


def refusal(text: str) -> str:
    result = parse_response(text, target())
    assert isinstance(result, Refusal), result
    return result.reason


def test_bare_function_is_reindented_into_the_class() -> None:
    result = edit(GOOD)
    assert "    def find(self, items, wanted):\n        wanted = set(wanted)\n" in result.new_file_source
    assert result.new_file_source.replace(result.new_source, "") == MODULE.replace(target().source, "")
    compile(result.new_file_source, "m.py", "exec")


def test_fenced_block_with_prose_and_other_blocks() -> None:
    text = f"Here is the idea:\n```\nO(n*m) -> O(n)\n```\nThe code:\n```python\n{GOOD}```\nDone."
    assert edit(text).new_source == edit(GOOD).new_source


def test_method_wrapped_in_its_class_is_accepted() -> None:
    wrapped = "class Index:\n" + "".join("    " + line for line in GOOD.splitlines(True))
    assert edit(f"```python\n{wrapped}```").new_source == edit(GOOD).new_source


def test_stdlib_import_is_added_after_the_imports() -> None:
    code = "from collections import deque\n\n" + GOOD
    result = edit(f"```python\n{code}```")
    assert "import re\nfrom collections import deque\n" in result.new_file_source


def test_existing_import_is_not_repeated() -> None:
    result = edit(f"```python\nimport re\n\n{GOOD}```")
    assert result.new_file_source.count("import re") == 1


def test_unified_diff_with_wrong_line_numbers(tmp_path: Path) -> None:
    diff = dedent('''
        --- a/pkg/mod.py
        +++ b/pkg/mod.py
        @@ -40,7 +40,3 @@ class Index:
             def find(self, items, wanted):
        -        out = []
        -        for item in items:
        -            if item in wanted:
        -                out.append(item)
        -        return out
        +        wanted = set(wanted)
        +        return [item for item in items if item in wanted]
    ''')
    result = edit(f"```diff\n{diff}```")
    assert result.shape == "diff"
    assert result.new_file_source == edit(GOOD).new_file_source


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("", "empty response"),
        ("I would use a set here.", "no definition of find"),
        ("```python\ndef find(self, items, wanted):\n    return [i for i in items if i in\n```", "does not parse"),
        (f"```python\n{GOOD}\ndef helper(x):\n    return x + 1\n```", "outside the target"),
        (f"```python\nimport numpy\n\n{GOOD}```", "adds a dependency"),
        ("```python\ndef find(self, items):\n    return []\n```", "signature"),
        ("```python\nasync def find(self, items, wanted):\n    return []\n```", "signature"),
        (f"```python\n{target().source}\n```", "empty edit"),
        ("```python\ndef find(self, items, wanted):\n    # faster\n    out = []\n    for item in items:\n"
         "        if item in wanted:\n            out.append(item)\n    return out\n```", "empty edit"),
        ("```diff\n--- a/pkg/mod.py\n+++ b/pkg/mod.py\n@@ -5,2 +5,2 @@\n def helper(x):\n-    return x\n+    return x + 1\n```",
         "outside the target"),
        ("```diff\n--- a/pkg/mod.py\n+++ b/pkg/mod.py\n@@ -1,1 +1,1 @@\n-not in the file\n+x\n```", "does not apply"),
        ("```diff\n--- a/pkg/mod.py\n+++ b/pkg/mod.py\n@@ -1 +1 @@\n-import re\n+import os\n"
         "--- a/other.py\n+++ b/other.py\n@@ -1 +1 @@\n-a\n+b\n```", "does not apply"),
    ],
)
def test_refused(text: str, why: str) -> None:
    assert why in refusal(text)


def test_patch_from_an_edit_applies_with_git(tmp_path: Path) -> None:
    from eco.draft.recipes._edit import unified_patch

    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "mod.py").write_text(MODULE, encoding="utf-8")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    patch = unified_patch(MODULE, edit(GOOD).new_file_source, "pkg/mod.py")
    subprocess.run(["git", "apply", "--check", "-"], cwd=tmp_path, input=patch.encode(), check=True)
