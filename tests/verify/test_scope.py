"""The scope check: a candidate may change its target and nothing else."""

from __future__ import annotations

import textwrap

import pytest

from eco.verify.scope import check_scope

ORIGINAL = textwrap.dedent('''\
    import re

    LIMIT = 10


    class Index:
        def lookup(self, words, stop):
            return [w for w in words if w not in stop]


    def other():
        return LIMIT
    ''')


def _edit(old: str, new: str) -> str:
    assert old in ORIGINAL
    return ORIGINAL.replace(old, new)


@pytest.mark.parametrize(
    "candidate",
    [
        _edit("[w for w in words if w not in stop]", "[w for w in words if w not in set(stop)]"),
        "from collections import deque\n" + _edit("[w for w in words if w not in stop]", "list(deque(words))"),
        _edit("    def lookup", "    @functools.lru_cache(maxsize=None)\n    def lookup"),
    ],
)
def test_allowed(candidate: str) -> None:
    assert check_scope(ORIGINAL, candidate, "Index.lookup") is None


@pytest.mark.parametrize(
    ("candidate", "message"),
    [
        (_edit("return LIMIT", "return LIMIT + 1"), "changes code outside Index.lookup"),
        (_edit("LIMIT = 10", "LIMIT = 11"), "changes code outside"),
        (_edit("self, words, stop", "self, words, stop=()"), "changed the signature"),
        (_edit("def lookup", "async def lookup"), "async"),
        ("import subprocess\n" + ORIGINAL, "import of subprocess"),
        (_edit("return [w for", "import socket\n        return [w for"), "imports socket"),
        (_edit("return [w for", "open('/tmp/x', 'w')\n        return [w for"), "newly uses 'open'"),
        (_edit("return [w for", "eval('1')\n        return [w for"), "newly uses 'eval'"),
        (_edit("    def lookup", "    @staticmethod\n    def lookup"), "added decorator @staticmethod"),
        (_edit("def lookup", "def find"), "removed or renamed"),
    ],
)
def test_refused(candidate: str, message: str) -> None:
    problem = check_scope(ORIGINAL, candidate, "Index.lookup")
    assert problem is not None and message in problem
