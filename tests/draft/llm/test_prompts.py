"""Prompts carry the target, its context, hot lines, precedents as diffs, findings and rules."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace

import pytest
from _draft_helpers import dedent, make_target

import eco.draft.llm
from eco.draft.llm import STRATEGIES, Precedent, build_prompt
from eco.draft.llm.prompts import catalog_precedents

MODULE = dedent('''
    import re
    from collections import Counter


    def clean(word: str) -> str:
        return word.strip()


    class Index(Base):
        limit: int = 3

        def find(self, items, wanted):
            out = []
            for item in items:
                if clean(item) in wanted:
                    out.append(item)
            return out

        def size(self) -> int:
            return 0
''')

PRECEDENT = Precedent(before="if x in [1, 2, 3]:\n    pass\n", after="if x in {1, 2, 3}:\n    pass\n",
                      message="sets make membership O(1)", repo="org/repo", sha="0123456789abcdef")


def target():  # type: ignore[no-untyped-def]
    t = make_target(MODULE, "Index.find")
    hot = replace(t.hot, self_s=2.0, hot_lines=((15, 1.5), (16, 0.25)))
    return replace(t, hot=hot)


def test_few_shot_carries_everything() -> None:
    prompt = build_prompt(target(), precedents=[PRECEDENT], findings=["list-membership (line 14): slow"])
    user = prompt.user
    assert "`Index.find` in `pkg/mod.py`" in user
    assert "import re\nfrom collections import Counter" in user
    assert "class Index(Base):\n    limit: int = 3\n    def size(self) -> int: ..." in user
    assert "def clean(word: str) -> str: ..." in user
    assert "- line 15 (75%): if clean(item) in wanted:" in user
    assert "- list-membership (line 14): slow" in user
    assert "Example 1 (org/repo 0123456789): sets make membership O(1)" in user
    assert "-if x in [1, 2, 3]:\n+if x in {1, 2, 3}:" in user
    assert "Add no new dependencies" in user and "signature" in user
    assert user.rstrip().endswith("```python fenced block.")


def test_strategies() -> None:
    zero = build_prompt(target(), strategy="zero-shot", precedents=[PRECEDENT]).user
    assert "Example 1" not in zero
    steps = build_prompt(target(), strategy="step-by-step", precedents=[PRECEDENT]).user
    assert "Example 1" in steps and "at most five short lines" in steps
    assert STRATEGIES == ("zero-shot", "few-shot", "step-by-step")
    with pytest.raises(ValueError, match="unknown prompt strategy"):
        build_prompt(target(), strategy="chain")  # type: ignore[arg-type]


def test_catalog_supplies_precedents_when_there_is_no_index() -> None:
    from eco.draft.recipes import default_catalog

    first = next(iter(default_catalog()))
    (precedent,) = catalog_precedents([first.id, "no-such-id"])
    assert precedent.before == first.before and precedent.category == first.id


def test_exports() -> None:
    for name in eco.draft.llm.__all__:
        assert hasattr(eco.draft.llm, name), name


def test_eco_runs_without_the_llm_extra() -> None:
    # Block the SDKs: eco imports, recipes work, and the LLM backends name the extra.
    code = dedent('''
        import sys
        sys.modules["openai"] = None
        sys.modules["anthropic"] = None
        sys.modules["llama_cpp"] = None
        import eco.cli, eco.pipeline, eco.draft.llm
        from eco.draft.llm import Budget, LLMError, LLMSettings, make_backend
        for backend in ("openai", "anthropic", "llama"):
            try:
                make_backend(LLMSettings(backend, "m", base_url="http://127.0.0.1:9"), Budget(),
                             {"ECO_LLM_API_KEY": "k"})
            except LLMError as exc:
                print(exc)
    ''')
    env = dict(os.environ)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count('pip install "eco[llm]"') == 2
    assert result.stdout.count('pip install "eco[local]"') == 1
