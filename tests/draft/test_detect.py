"""detect(): every catalog anti-pattern, with lines, qualnames and honest fixable flags."""

from __future__ import annotations

from pathlib import Path

import pytest
from _draft_helpers import dedent

from eco.catalog import Catalog, load_catalog
from eco.draft import Finding, detect
from eco.errors import SourceError

MODULE = dedent(
    """
    import re

    STOP = "x" in ["a", "b"]


    class Index:
        def hits(self, words: list[str]) -> int:
            def inner(ws: list[str]) -> bool:
                return any([w in ["a", "b"] for w in ws])

            return sum([1 for w in words if w in self.stop]) + inner(words)


    def lines(text: str, keys: dict[str, int], items) -> list[str]:
        out = ""
        for line in text.splitlines():
            try:
                out += re.sub("a", "b", line)
            except ValueError:
                pass
            if line in keys.keys():
                out += sorted(line)[0]
            for x in list(items):
                if x in ["p", "q"]:
                    pass
        return [out]
    """
)


def test_findings_have_ids_lines_qualnames_and_fixable_flags() -> None:
    found = [(f.id, f.line, f.qualname, f.fixable) for f in detect(MODULE, "pkg/m.py")]
    assert found == [
        ("membership-in-list-literal", 3, "", False),
        ("materialized-list-in-any-all", 9, "Index.hits.inner", True),
        ("membership-in-list-literal", 9, "Index.hits.inner", True),
        ("materialized-list-in-any-all", 11, "Index.hits", False),
        ("try-except-in-loop", 17, "lines", False),
        ("regex-compile-in-loop", 18, "lines", True),
        ("string-concat-in-loop", 18, "lines", False),
        ("dict-keys-membership", 21, "lines", True),
        ("sorted-then-index", 22, "lines", False),
        ("unnecessary-list-cast", 23, "lines", False),
        ("membership-in-list-literal", 24, "lines", False),
    ]


def test_messages_say_why_a_site_is_not_fixed() -> None:
    findings = detect(MODULE, "pkg/m.py")
    assert all(isinstance(f, Finding) and f.file == "pkg/m.py" for f in findings)
    for finding in findings:
        assert ("not fixed:" in finding.message) != finding.fixable, finding
    by_line = {(f.id, f.line): f.message for f in findings}
    assert "module-level code" in by_line[("membership-in-list-literal", 3)]
    assert "`x` is not known to be hashable" in by_line[("membership-in-list-literal", 24)]
    assert "sum()" in by_line[("materialized-list-in-any-all", 11)]


def test_default_file_name_and_clean_code() -> None:
    assert detect("def f(x: int) -> int:\n    return x\n") == []
    (finding,) = detect("def f(xs: list[int]) -> bool:\n    return all([x > 0 for x in xs])\n")
    assert finding.file == "<string>"
    assert finding.qualname == "f"


def test_syntax_error_names_the_file_and_line() -> None:
    with pytest.raises(SourceError, match=r"^pkg/bad\.py:2: syntax error"):
        detect("x = 1\ndef f(:\n", "pkg/bad.py")


def test_a_catalog_argument_limits_the_detectors(tmp_path: Path) -> None:
    shipped = load_catalog()
    only = Catalog([shipped.get("sorted-then-index")])
    found = detect(MODULE, "m.py", catalog=only)
    assert [(f.id, f.line) for f in found] == [("sorted-then-index", 22)]


def test_report_only_entries_are_never_fixable() -> None:
    source = dedent(
        """
        def f(d: dict[str, int], k: str) -> int:
            if k in d:
                return d[k]
            return 0
        """
    )
    (finding,) = detect(source)
    assert finding.id == "dict-membership-then-index"
    assert not finding.fixable
    assert "looks the key up twice" in finding.message


TEXTKIT_LIKE = dedent(
    """
    import re


    def tokenize(text: str) -> list[str]:
        words = []
        for raw in text.split():
            word = re.sub(r"^[^\\w]+|[^\\w]+$", "", raw.lower())
            if word:
                words.append(word)
        return words


    def content_words(text: str) -> list[str]:
        kept = []
        for word in text.lower().split():
            if word not in ["a", "an", "and", "the"]:
                kept.append(word)
        return kept


    def frequencies(words: list[str]) -> dict[str, int]:
        counts = {}
        for word in words:
            if word in counts:
                counts[word] += 1
            else:
                counts[word] = 1
        return counts


    def shared_vocabulary(left: list[str], right: list[str]) -> list[str]:
        return [word for word in left if word in right]


    def has_long_word(words: list[str], limit: int) -> bool:
        return any([len(word) > limit for word in words])


    def reachable(graph: dict[str, list[str]], start: str) -> list[str]:
        seen = {start}
        order = []
        queue = [start]
        while queue:
            word = queue.pop(0)
            order.append(word)
            for nxt in graph.get(word, ()):
                if nxt not in seen:
                    seen.add(nxt)
                    queue.append(nxt)
        return order


    def compositions(total: int, largest: int) -> int:
        if total == 0:
            return 1
        ways = 0
        for part in range(1, min(total, largest) + 1):
            ways += compositions(total - part, largest)
        return ways
    """
)


def test_every_fixable_anti_pattern_is_found_fixable_where_expected() -> None:
    found = {(f.qualname, f.id) for f in detect(TEXTKIT_LIKE, "textkit.py") if f.fixable}
    assert found == {
        ("tokenize", "regex-compile-in-loop"),
        ("content_words", "membership-in-list-literal"),
        ("content_words", "append-loop-to-comprehension"),
        ("frequencies", "dict-membership-then-index"),
        ("shared_vocabulary", "membership-in-list-param"),
        ("has_long_word", "materialized-list-in-any-all"),
        ("reachable", "list-pop-front"),
        ("compositions", "memoize-pure-recursion"),
    }


def test_fixable_findings_are_exactly_what_the_recipes_rewrite() -> None:
    from _draft_helpers import make_target

    from eco.draft import draft_recipes

    for source in (TEXTKIT_LIKE, MODULE):
        findings = detect(source, "m.py")
        for qualname in sorted({f.qualname for f in findings if f.qualname}):
            fixable = {f.id for f in findings if f.qualname == qualname and f.fixable}
            drafted = {
                part
                for candidate in draft_recipes(make_target(source, qualname))
                for part in (candidate.antipattern or "").split("+")
            }
            assert drafted == fixable, qualname
