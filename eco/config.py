"""eco's settings: `[tool.eco]` in the repository's pyproject.toml, then command-line flags.

Secrets never come from here: tokens and API keys are read from the environment only.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from eco.errors import ConfigError


@dataclass(frozen=True)
class EcoConfig:
    """Every setting eco reads, with its default."""

    #: Command whose run is profiled; None profiles the repository's pytest suite.
    workload: str | None = None
    #: The repository's test command, run in each candidate's worktree.
    test_command: str = "python -m pytest -q -p no:cacheprovider"
    #: A verified candidate must be at least this much faster (baseline / candidate).
    min_speedup: float = 1.10
    #: Functions below this share of workload time are not targets.
    min_share: float = 0.005
    #: Functions above this share (drivers like ``main``) are not targets.
    max_share: float = 0.25
    #: Profiler for the workload: ``cprofile``, or ``pyinstrument`` (eco[profilers]; its
    #: sampled profile gives hot lines).
    profiler: str = "cprofile"
    #: ``OLD=NEW`` prefixes mapping file names in profiles taken elsewhere (a container,
    #: another checkout) to this repository, e.g. ``["/app=."]``.
    path_map: tuple[str, ...] = ()
    #: At most this many hot functions are drafted and verified.
    max_targets: int = 10
    #: Repository-relative glob patterns that are never targets (added to the defaults).
    exclude: tuple[str, ...] = ()
    #: Wall-clock limit for one run of the workload or of the test suite, seconds.
    timeout: float = 900.0
    #: Memory limit for code under test, MiB.
    memory_mb: int = 4096
    #: Benchmark: interleaved rounds of baseline and candidate runs.
    bench_rounds: int = 4
    #: Benchmark: pyperf worker processes per run.
    bench_processes: int = 2
    #: Benchmark: values per process.
    bench_values: int = 3
    #: Calls captured per hot function for replay and benchmarking: the first half, then a
    #: uniform sample of later calls (eco.capture.tracer). 256, not 64: a rewrite that
    #: differs on 3 of 384 calls was caught only at 256 (benchmarks/capture_overhead.py).
    capture_calls: int = 256
    #: Also time the whole workload before and after each candidate that passed the benchmark.
    confirm_workload: bool = False
    #: Runs per side for `confirm_workload`.
    workload_runs: int = 5
    #: Who drafts candidates: ``recipes`` (offline, the default), ``openai`` (any
    #: OpenAI-compatible server) or ``anthropic`` (both need eco[llm] and a key in
    #: ``ECO_LLM_API_KEY`` or the provider's variable), or ``llama`` (a local GGUF model
    #: in-process; eco[local]).
    drafter: str = "recipes"
    #: The model an LLM drafter asks (``llama``: a .gguf path or a package carrying one).
    model: str = ""
    #: Where an LLM drafter sends requests (empty: the provider's own endpoint).
    base_url: str = ""
    #: Completions sampled per target.
    samples: int = 5
    #: Sampling temperature (ECO uses 0.3).
    temperature: float = 0.3
    #: ``zero-shot``, ``few-shot`` (precedents; the default) or ``step-by-step``.
    prompt_strategy: str = "few-shot"
    #: The run's LLM budget: most requests, and most tokens (input plus output).
    llm_max_calls: int = 50
    llm_max_tokens: int = 400_000
    #: Seconds per LLM request.
    llm_timeout: float = 120.0
    #: Rounds in which a rejected LLM candidate goes back to the model with the reason (0: none).
    llm_repairs: int = 1
    #: Self-review: the model answers a checklist about its own verified patch; a failed
    #: review turns the result into ``rejected``.
    llm_review: bool = True
    #: Stream LLM responses (server-sent events); tokens come from the stream's usage events.
    stream: bool = False
    #: How many of the fastest verified LLM candidates go back once to be made faster (0: none).
    llm_refinements: int = 1
    #: The pick: the smallest change whose speedup is within this fraction of the fastest
    #: verified candidate's (0.05: 5%).
    llm_pick_tolerance: float = 0.05
    #: Relative tolerance for floats in the equivalence replay (0: identical, NaN equals NaN).
    #: Raise it (e.g. 1e-9) for code where reassociated arithmetic is acceptable.
    float_tolerance: float = 0.0


_FIELDS = {f.name: f for f in fields(EcoConfig)}
#: Numeric keys for which 0 is meaningful (off, or no tolerance).
_MAY_BE_ZERO = {"min_share", "temperature", "llm_repairs", "llm_refinements", "llm_pick_tolerance",
                "float_tolerance"}


def _check(key: str, value: Any, where: str) -> Any:
    default = getattr(EcoConfig(), key)
    if key == "workload":
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"{where}: [tool.eco] workload must be a non-empty string, got {value!r}")
        return value
    if key == "exclude":
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{where}: [tool.eco] exclude must be a list of glob strings, got {value!r}")
        return tuple(value)
    if key == "path_map":
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) and "=" in v for v in value):
            raise ConfigError(f"{where}: [tool.eco] path_map must be a list of \"OLD=NEW\" strings, got {value!r}")
        return tuple(value)
    if key == "drafter" and value not in ("recipes", "openai", "anthropic", "llama"):
        raise ConfigError(f"{where}: [tool.eco] drafter = {value!r} must be \"recipes\", \"openai\", "
                          "\"anthropic\" or \"llama\"")
    if key == "llm_pick_tolerance" and (not isinstance(value, int | float) or isinstance(value, bool)
                                        or not 0.0 <= value < 1.0):
        raise ConfigError(f"{where}: [tool.eco] llm_pick_tolerance = {value!r} must be between 0 and 1")
    if key == "float_tolerance" and (not isinstance(value, int | float) or isinstance(value, bool)
                                     or not 0.0 <= value < 0.01):
        raise ConfigError(f"{where}: [tool.eco] float_tolerance = {value!r} must be at least 0 and below 0.01")
    if key == "prompt_strategy" and value not in ("zero-shot", "few-shot", "step-by-step"):
        raise ConfigError(f"{where}: [tool.eco] prompt_strategy = {value!r} must be \"zero-shot\", "
                          "\"few-shot\" or \"step-by-step\"")
    if key == "temperature" and isinstance(value, int | float) and not 0.0 <= value <= 2.0:
        raise ConfigError(f"{where}: [tool.eco] temperature = {value!r} must be between 0 and 2")
    if key == "profiler" and value not in ("cprofile", "pyinstrument"):
        raise ConfigError(f"{where}: [tool.eco] profiler = {value!r} must be \"cprofile\" or \"pyinstrument\"")
    if isinstance(default, bool):
        ok = isinstance(value, bool)
    elif isinstance(default, float):
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        value = float(value) if ok else value
    elif isinstance(default, int):
        ok = isinstance(value, int) and not isinstance(value, bool)
    else:
        ok = isinstance(value, str)
    if not ok:
        raise ConfigError(f"{where}: [tool.eco] {key} = {value!r} has the wrong type (expected {type(default).__name__})")
    if key == "min_speedup" and value < 1.0:
        raise ConfigError(f"{where}: [tool.eco] min_speedup = {value!r} must be at least 1.0")
    if key in {"min_share", "max_share"} and not 0.0 <= value <= 1.0:
        raise ConfigError(f"{where}: [tool.eco] {key} = {value!r} must be between 0 and 1")
    if isinstance(value, int | float) and not isinstance(value, bool) and value <= 0 and key not in _MAY_BE_ZERO:
        raise ConfigError(f"{where}: [tool.eco] {key} = {value!r} must be positive")
    if isinstance(value, int | float) and not isinstance(value, bool) and value < 0:
        raise ConfigError(f"{where}: [tool.eco] {key} = {value!r} must not be negative")
    return value


def load_config(root: Path, overrides: Mapping[str, Any] | None = None) -> EcoConfig:
    """Read ``[tool.eco]`` from ``root/pyproject.toml`` and apply non-None ``overrides``."""
    config = EcoConfig()
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        try:
            data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{pyproject}: not valid TOML: {exc}") from exc
        table = data.get("tool", {}).get("eco", {})
        if not isinstance(table, dict):
            raise ConfigError(f"{pyproject}: [tool.eco] must be a table")
        values = {}
        for key, value in table.items():
            name = key.replace("-", "_")
            if name not in _FIELDS:
                known = ", ".join(sorted(_FIELDS))
                raise ConfigError(f"{pyproject}: unknown key [tool.eco] {key} (known: {known})")
            values[name] = _check(name, value, str(pyproject))
        config = replace(config, **values)
    if overrides:
        values = {k: _check(k, v, "command line") for k, v in overrides.items() if v is not None}
        config = replace(config, **values)
    return config
