"""A fix given as a unified diff queries the index as a precedent is embedded: its
before-side and its changed lines (ECO's diff queries), through the real CLI."""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import pytest

from eco.index.views import split_diff
from tests.index.test_cli import eco

BEFORE = '''\
def render(rows):
    page = ""
    for row in rows:
        page += "<tr><td>" + str(row) + "</td></tr>"
    return page
'''
AFTER = '''\
def render(rows):
    parts = []
    for row in rows:
        parts.append("<tr><td>" + str(row) + "</td></tr>")
    return "".join(parts)
'''
DIFF = "".join(difflib.unified_diff(BEFORE.splitlines(True), AFTER.splitlines(True), "a/page.py", "b/page.py"))


def test_a_diff_is_split_into_its_before_side_and_itself() -> None:
    split = split_diff(DIFF)
    assert split == (BEFORE, DIFF)
    body = "".join(line for line in DIFF.splitlines(True) if not line.startswith(("---", "+++", "@@")))
    assert split_diff(body) == (BEFORE, body)  # the hunk's lines without headers


@pytest.mark.parametrize("source", [
    BEFORE,
    "    def method(self, x):\n        return -x\n",  # an indented method: every line starts with a space
    "@cache\ndef f(n):\n    return n - 1\n",
    "",
])
def test_function_source_is_not_a_diff(source: str) -> None:
    assert split_diff(source) is None


def test_diff_query_finds_the_fix_it_is_an_instance_of(tmp_path: Path) -> None:
    for text in (DIFF, BEFORE):
        out = eco("index", "query", "--code", "-", "-k", "3", "--json", cwd=tmp_path, stdin=text)
        assert out.returncode == 0, out.stderr
        hits = json.loads(out.stdout)
        assert hits[0]["sha"] == "string-concat-in-loop", [h["sha"] for h in hits]


def test_diff_query_embeds_like_a_precedent(tmp_path: Path) -> None:
    from eco.index import open_index, precedents_for

    index = open_index(None, root=tmp_path)  # the shipped index
    as_diff = [(p.sha, round(p.score, 6)) for p in precedents_for(index, DIFF, k=5)]
    as_fix = [(p.sha, round(p.score, 6)) for p in index.query(BEFORE, k=5, diff=DIFF, boost=["string-concat-in-loop"])]
    assert as_diff == as_fix
    assert as_diff != [(p.sha, round(p.score, 6)) for p in index.query(DIFF, k=5)]  # not the diff's raw text
