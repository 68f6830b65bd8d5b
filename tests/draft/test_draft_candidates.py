"""draft_recipes as a whole: candidate order, patches that git applies, byte-exact preservation."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from _draft_helpers import dedent, make_target

import eco.draft
from eco.draft import detect, draft_recipes
from eco.errors import SourceError

TEXTKIT_TOKENS = '''\
"""Turning raw text into normalized words."""

import re


def tokenize(text: str) -> list[str]:
    """Lower-cased words of ``text``, with punctuation stripped from their edges."""
    words = []
    for raw in text.split():
        word = re.sub(r"^[^\\w]+|[^\\w]+$", "", raw.lower())
        if word:
            words.append(word)
    return words


def content_words(text: str) -> list[str]:
    """Words of ``text`` that carry meaning: stop words removed."""
    kept = []
    for word in text.lower().split():
        if word not in ["a", "an", "and", "are", "as", "at", "be", "by", "for", "from",
                        "has", "in", "is", "it", "its", "of", "on", "that", "the", "to",
                        "was", "were", "will", "with"]:
            kept.append(word)
    return kept
'''


def test_exports_match_all() -> None:
    assert sorted(eco.draft.__all__) == sorted(
        name
        for name in vars(eco.draft)
        if not name.startswith("_")
        and name
        not in {"detectors", "recipes", "records", "facts", "scope", "reports", "llm", "lines"}
    )
    for name in ("Finding", "detect", "draft_recipes", "Candidate"):
        assert name in eco.draft.__all__


def test_combined_candidate_comes_first_then_singles() -> None:
    target = make_target(TEXTKIT_TOKENS, "content_words", file="textkit/tokens.py")
    found = draft_recipes(target)
    assert [c.antipattern for c in found] == [
        "append-loop-to-comprehension+membership-in-list-literal",
        "append-loop-to-comprehension",
        "membership-in-list-literal",
    ]
    combined = found[0]
    assert combined.drafter == "recipes"
    assert combined.target is target
    assert combined.rationale.startswith("Applies 2 independent rewrites together")
    assert combined.new_source == (
        "def content_words(text: str) -> list[str]:\n"
        '    """Words of ``text`` that carry meaning: stop words removed."""\n'
        '    kept = [word for word in text.lower().split() if word not in {"a", "an", "and", "are", "as", "at", "be", "by", "for", "from",\n'
        '                        "has", "in", "is", "it", "its", "of", "on", "that", "the", "to",\n'
        '                        "was", "were", "will", "with"}]\n'
        "    return kept"
    )
    # Everything outside the function is byte-for-byte the same.
    start = TEXTKIT_TOKENS.index("def content_words")
    assert combined.new_file_source[:start] == TEXTKIT_TOKENS[:start]
    for candidate in found:
        assert candidate.new_file_source != TEXTKIT_TOKENS
        assert candidate.rationale
        compile(candidate.new_file_source, "x.py", "exec")


def test_only_the_target_function_is_rewritten() -> None:
    target = make_target(TEXTKIT_TOKENS, "tokenize", file="textkit/tokens.py")
    found = draft_recipes(target)
    assert [c.antipattern for c in found] == ["regex-compile-in-loop"]
    assert 'word not in ["a"' in found[0].new_file_source


def test_nothing_to_do_gives_no_candidate() -> None:
    source = "def f(x: int) -> int:\n    return x + 1\n"
    assert draft_recipes(make_target(source)) == []


def test_missing_function_is_a_source_error() -> None:
    target = make_target("def f(x: int) -> int:\n    return x\n")
    moved = type(target)(**{**target.__dict__, "qualname": "g"})
    with pytest.raises(SourceError, match="function g not found"):
        draft_recipes(moved)


def _git(cwd: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", *args], cwd=cwd, input=stdin, capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize("trailing_newline", [True, False])
def test_patch_applies_with_git_at_the_repo_root(tmp_path: Path, trailing_newline: bool) -> None:
    source = TEXTKIT_TOKENS if trailing_newline else TEXTKIT_TOKENS.rstrip("\n")
    repo = tmp_path / "repo"
    (repo / "textkit").mkdir(parents=True)
    _git(repo, "init", "-q")
    path = repo / "textkit" / "tokens.py"
    path.write_bytes(source.encode("utf-8"))
    for qualname in ("content_words", "tokenize"):
        for candidate in draft_recipes(make_target(source, qualname, file="textkit/tokens.py")):
            assert candidate.patch.startswith("--- a/textkit/tokens.py\n+++ b/textkit/tokens.py\n")
            check = _git(repo, "apply", "--check", "-", stdin=candidate.patch)
            assert check.returncode == 0, check.stderr
            applied = _git(repo, "apply", "-", stdin=candidate.patch)
            assert applied.returncode == 0, applied.stderr
            assert path.read_bytes().decode("utf-8") == candidate.new_file_source
            path.write_bytes(source.encode("utf-8"))


def test_last_function_without_trailing_newline_patch_marks_it(tmp_path: Path) -> None:
    source = "import os\n\n\ndef f(xs: list[int]) -> bool:\n    return any([x > 1 for x in xs])"
    (candidate,) = draft_recipes(make_target(source, file="m.py"))
    assert "\\ No newline at end of file" in candidate.patch
    assert not candidate.new_file_source.endswith("\n")
    repo = tmp_path / "r"
    repo.mkdir()
    _git(repo, "init", "-q")
    (repo / "m.py").write_text(source)
    assert _git(repo, "apply", "-", stdin=candidate.patch).returncode == 0
    assert (repo / "m.py").read_text() == candidate.new_file_source


def test_comments_and_formatting_outside_the_rewrite_are_kept() -> None:
    source = dedent(
        """
        # -*- coding: utf-8 -*-
        import re   # the module


        def f( xs : list[int] ,  limit:int )->bool :   # odd spacing
            # leading comment
            ok  =  any( [ x>limit  for x in xs ] )  # trailing
            return ok    # done
        """
    )
    (candidate,) = draft_recipes(make_target(source))
    assert candidate.new_file_source == source.replace(
        "any( [ x>limit  for x in xs ] )", "any( x>limit  for x in xs )"
    )


def test_crlf_file_keeps_its_line_endings(tmp_path: Path) -> None:
    source = "def f(xs: list[int]) -> bool:\r\n    return any([x > 1 for x in xs])\r\n"
    (candidate,) = draft_recipes(make_target(source, file="m.py"))
    assert (
        candidate.new_file_source
        == "def f(xs: list[int]) -> bool:\r\n    return any(x > 1 for x in xs)\r\n"
    )
    repo = tmp_path / "r"
    repo.mkdir()
    _git(repo, "init", "-q")
    (repo / "m.py").write_bytes(source.encode())
    assert _git(repo, "apply", "-", stdin=candidate.patch).returncode == 0
    assert (repo / "m.py").read_bytes() == candidate.new_file_source.encode()


def test_method_and_nested_function_targets() -> None:
    source = dedent(
        """
        class Index:
            def hits(self, words: list[str]) -> int:
                def inner(ws: list[str]) -> bool:
                    return any([w in ["a", "b"] for w in ws])
                return sum(1 for w in words if w in ["a", "b", "c", "d"]) + inner(words)
        """
    )
    outer = draft_recipes(make_target(source, "Index.hits"))
    assert [c.antipattern for c in outer] == ["membership-in-list-literal"]
    assert 'if w in {"a", "b", "c", "d"}' in outer[0].new_source
    assert 'w in ["a", "b"]' in outer[0].new_source  # the nested function is not touched
    inner = draft_recipes(make_target(source, "Index.hits.inner"))
    assert [c.antipattern for c in inner] == [
        "materialized-list-in-any-all+membership-in-list-literal",
        "materialized-list-in-any-all",
        "membership-in-list-literal",
    ]
    assert (
        inner[0].new_source
        == 'def inner(ws: list[str]) -> bool:\n            return any(w in {"a", "b"} for w in ws)'
    )


@pytest.mark.parametrize(
    "decorator",
    ["numba.njit(cache=True)", "jit", "torch.jit.script", "tf.function", "torch.compile"],
)
def test_functions_compiled_by_a_decorator_are_left_alone(decorator: str) -> None:
    source = dedent(
        f"""
        @{decorator}
        def f(xs: list[int]) -> bool:
            return any([x > 1 for x in xs])
        """
    )
    assert draft_recipes(make_target(source)) == []
    (finding,) = detect(source)
    assert not finding.fixable
    assert "compiles the function" in finding.message


def test_ordinary_decorators_do_not_block_rewrites() -> None:
    source = dedent(
        """
        import functools


        class C:
            @staticmethod
            @functools.wraps(print)
            def f(xs: list[int]) -> bool:
                return any([x > 1 for x in xs])
        """
    )
    assert [c.antipattern for c in draft_recipes(make_target(source, "C.f"))] == [
        "materialized-list-in-any-all"
    ]
