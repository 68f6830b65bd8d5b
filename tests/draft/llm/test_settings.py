"""[tool.eco] keys of the LLM drafter: defaults, overrides and errors that name key and value."""

from __future__ import annotations

from pathlib import Path

import pytest

from eco.config import load_config
from eco.errors import ConfigError, EcoError
from eco.pipeline import llm_drafter


def test_defaults_keep_recipes_offline(tmp_path: Path) -> None:
    config = load_config(tmp_path)
    assert (config.drafter, config.samples, config.temperature, config.prompt_strategy) == (
        "recipes", 5, 0.3, "few-shot")
    assert llm_drafter(tmp_path, config) is None


def test_pyproject_and_flags(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.eco]\ndrafter = "anthropic"\nmodel = "claude"\nsamples = 3\ntemperature = 0\n'
        'prompt_strategy = "step-by-step"\nllm-max-calls = 7\n')
    config = load_config(tmp_path, {"drafter": "openai", "base_url": "http://127.0.0.1:1/v1"})
    assert (config.drafter, config.model, config.samples, config.temperature) == ("openai", "claude", 3, 0.0)
    assert (config.prompt_strategy, config.llm_max_calls, config.base_url) == (
        "step-by-step", 7, "http://127.0.0.1:1/v1")
    drafter = llm_drafter(tmp_path, config)
    assert drafter is not None and drafter.settings.samples == 3
    assert drafter.cache is not None and drafter.cache.directory == tmp_path / ".eco" / "llm-cache"


@pytest.mark.parametrize(("key", "value", "words"), [
    ("drafter", "gpt", "drafter = 'gpt'"),
    ("prompt_strategy", "cot", "prompt_strategy = 'cot'"),
    ("temperature", 3.0, "temperature = 3.0"),
    ("samples", 0, "samples = 0"),
])
def test_bad_values_name_key_and_value(tmp_path: Path, key: str, value: object, words: str) -> None:
    with pytest.raises(ConfigError, match=words.replace("(", r"\(")):
        load_config(tmp_path, {key: value})


def test_llm_drafter_without_model_or_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ECO_LLM_API_KEY", "OPENAI_API_KEY", "ANTHROPIC_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(EcoError, match="needs a model"):
        llm_drafter(tmp_path, load_config(tmp_path, {"drafter": "openai"}))
    with pytest.raises(EcoError, match="ANTHROPIC_API_KEY"):
        llm_drafter(tmp_path, load_config(tmp_path, {"drafter": "anthropic", "model": "m"}))


def test_stream_refinement_and_pick_keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ECO_LLM_API_KEY", "sk-test")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.eco]\ndrafter = "openai"\nmodel = "m"\nstream = true\nllm-refinements = 0\n'
        "llm_pick_tolerance = 0.1\n")
    config = load_config(tmp_path)
    assert (config.stream, config.llm_refinements, config.llm_pick_tolerance) == (True, 0, 0.1)
    drafter = llm_drafter(tmp_path, config)
    assert drafter is not None and drafter.settings.stream and getattr(drafter.backend, "stream", False)
    assert load_config(tmp_path / "none").stream is False
    with pytest.raises(ConfigError, match="llm_refinements = -1 must not be negative"):
        load_config(tmp_path, {"llm_refinements": -1})
    with pytest.raises(ConfigError, match="stream = 'yes' has the wrong type"):
        load_config(tmp_path, {"stream": "yes"})


def test_llama_drafter_names_a_missing_model(tmp_path: Path) -> None:
    config = load_config(tmp_path, {"drafter": "llama", "model": str(tmp_path / "nope.gguf")})
    # Without eco[local] the error names the extra; with it, the missing file.
    with pytest.raises(EcoError, match=r'nope\.gguf: no such model file|pip install "eco\[local\]"'):
        llm_drafter(tmp_path, config)


def test_terminal_report_lists_the_lineage() -> None:
    from eco.profile.records import HotFunction
    from eco.publish.terminal import _lineage
    from eco.results import FunctionResult, Lineage

    hot = HotFunction("pkg/m.py", "f", 1, 1.0, 1.0, 0.5, 3)
    result = FunctionResult(hot, "verified", lineage=(
        Lineage("c1", "sample 1 of 2", None, "parse", "refused", "no definition of f in the response"),
        Lineage("c2", "sample 2 of 2", None, "benchmark", "verified", speedup=1.4, changed_lines=2,
                picked="the only verified candidate (1.40x, 2 changed lines)"),
    ))
    assert _lineage(result).splitlines() == [
        "candidates for pkg/m.py::f:",
        "  c1 sample 1 of 2 -> refused at parse (no definition of f in the response)",
        "  c2 sample 2 of 2 -> verified at benchmark 1.40x (picked: the only verified candidate (1.40x, 2 changed lines))",
    ]
