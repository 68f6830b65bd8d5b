from __future__ import annotations

from pathlib import Path

import pytest

from eco.config import EcoConfig, load_config
from eco.errors import ConfigError


def _write(tmp_path: Path, table: str) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "pyproject.toml").write_text(f"[project]\nname='x'\n\n[tool.eco]\n{table}\n")
    return tmp_path


def test_defaults_table_and_overrides(tmp_path: Path) -> None:
    assert load_config(tmp_path) == EcoConfig()
    root = _write(tmp_path, 'workload = "python w.py"\nmin-speedup = 1.2\nexclude = ["gen/*"]')
    config = load_config(root, {"min_speedup": 1.5, "workload": None})
    assert config.workload == "python w.py"
    assert config.min_speedup == 1.5
    assert config.exclude == ("gen/*",)
    assert load_config(_write(tmp_path / "tolerant", "float_tolerance = 1e-9")).float_tolerance == 1e-9
    assert load_config(_write(tmp_path / "exact", "min_speedup = 1.2")).float_tolerance == 0.0


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("min_speedup = 'fast'", r"min_speedup = 'fast' has the wrong type"),
        ("min_speedup = 0.9", "must be at least 1.0"),
        ("min_share = 2", "must be between 0 and 1"),
        ("workload = ''", "workload must be a non-empty string"),
        ("wrkload = 'python x.py'", "unknown key \\[tool.eco\\] wrkload"),
        ("exclude = 'gen'", "exclude must be a list"),
        ("max_targets = 0", "must be positive"),
        ("float_tolerance = -1e-9", "float_tolerance = -1e-09 must be at least 0 and below 0.01"),
        ("float_tolerance = 0.5", "must be at least 0 and below 0.01"),
        ("float_tolerance = true", "float_tolerance = True must be at least 0"),
    ],
)
def test_bad_values_name_key_and_value(tmp_path: Path, table: str, message: str) -> None:
    root = _write(tmp_path, table)
    with pytest.raises(ConfigError, match=message) as info:
        load_config(root)
    assert "pyproject.toml" in str(info.value)


def test_invalid_toml(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.eco\n")
    with pytest.raises(ConfigError, match=r"pyproject\.toml: not valid TOML"):
        load_config(tmp_path)


def test_profile_settings(tmp_path: Path) -> None:
    assert EcoConfig().max_share == 0.25  # drivers like main above a quarter of the time are not targets
    root = _write(tmp_path, 'profiler = "pyinstrument"\npath_map = ["/app=."]\nmax_share = 0.4')
    config = load_config(root)
    assert (config.profiler, config.path_map, config.max_share) == ("pyinstrument", ("/app=.",), 0.4)
    for table, message in [('profiler = "perf"', r'profiler = .perf. must be "cprofile" or "pyinstrument"'),
                           ('path_map = ["/app"]', 'path_map must be a list of "OLD=NEW" strings'),
                           ('path_map = "/app=."', 'path_map must be a list')]:
        with pytest.raises(ConfigError, match=message):
            load_config(_write(tmp_path, table))
