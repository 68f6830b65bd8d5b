"""The catalog: the shipped files load and agree with the code; a bad file is named and explained."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

import eco.catalog
from eco.catalog import (
    AntiPattern,
    Catalog,
    CatalogError,
    UnknownAntiPattern,
    default_directory,
    load_catalog,
)
from eco.draft import DETECTORS, RECIPES, detect, draft_recipes
from eco.errors import ConfigError
from tests.draft._draft_helpers import make_target

FIXABLE = {
    "append-loop-to-comprehension",
    "bin-count-ones",
    "dict-items-unused-part",
    "dict-keys-membership",
    "dict-membership-then-index",
    "len-of-copy",
    "list-concat-in-loop",
    "list-insert-front",
    "list-pop-front",
    "loop-invariant-len",
    "manual-list-copy",
    "map-lambda-to-comprehension",
    "materialized-list-in-any-all",
    "membership-in-list-literal",
    "membership-in-list-param",
    "memoize-pure-recursion",
    "range-len-indexing",
    "regex-compile-in-loop",
    "repeated-equality-comparison",
    "set-add-in-loop",
    "string-concat-in-loop",
    "unnecessary-comprehension-copy",
}

GOOD = """\
id = "{id}"
title = "A title"
category = "loop"
why = "Why it is slow. What the fix buys."
before = "x = [1]"
after = "x = (1,)"
detector = "sorted_then_index"
preconditions = ["report-only"]
"""


def test_exports_match_all() -> None:
    exported = {name for name in vars(eco.catalog) if not name.startswith("_")} - {"load", "model"}
    assert sorted(eco.catalog.__all__) == sorted(exported)


def test_shipped_catalog_loads_with_every_fix() -> None:
    catalog = load_catalog()
    package = Path(eco.catalog.__file__).parent
    assert default_directory() in (package / "data", package.parent.parent / "antipatterns")
    assert catalog.directory == default_directory()
    assert {entry.id for entry in catalog if entry.fix is not None} == FIXABLE
    assert len(catalog) >= 30
    assert list(catalog.ids) == sorted(catalog.ids)
    for entry in catalog:
        assert isinstance(entry, AntiPattern)
        assert entry.detector in DETECTORS
        assert entry.fix is None or entry.fix in RECIPES
        assert 1 <= entry.why.count(". ") + 1 <= 4, entry.id
        assert all(":" in code for code in entry.equivalents)
    assert "ruff:PERF401" in catalog.get("append-loop-to-comprehension").equivalents


def test_get_unknown_id_is_a_config_error_and_a_key_error() -> None:
    catalog = load_catalog()
    with pytest.raises(UnknownAntiPattern, match="unknown anti-pattern 'nope'") as info:
        catalog.get("nope")
    assert isinstance(info.value, ConfigError)
    assert isinstance(info.value, KeyError)
    assert "nope" not in catalog
    assert "list-pop-front" in catalog
    assert pickle.loads(pickle.dumps(info.value)).message == info.value.message


@pytest.mark.parametrize("entry", list(load_catalog()), ids=lambda e: e.id)
def test_examples_are_what_the_code_finds_and_writes(entry: AntiPattern) -> None:
    before = entry.before.lstrip("\n")
    after = entry.after.lstrip("\n")
    found = [f for f in detect(before, "example.py") if f.id == entry.id]
    assert found, f"{entry.id}: the detector does not find its own 'before' example"
    assert all(f.fixable == (entry.fix is not None) for f in found)
    if entry.fix is None:
        return
    candidates = [c for c in draft_recipes(make_target(before, file="example.py")) if c.antipattern == entry.id]
    assert len(candidates) == 1
    assert candidates[0].new_file_source == after
    assert not [f for f in detect(after, "example.py") if f.id == entry.id and f.fixable]


def _write(directory: Path, name: str, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (GOOD.replace('title = "A title"\n', ""), "missing required key 'title'"),
        (GOOD.replace('title = "A title"', "title = 3"), "key 'title' must be a string, not int"),
        (GOOD.replace('title = "A title"', 'title = "  "'), "key 'title' must not be empty"),
        (GOOD + 'colour = "red"\n', "unknown key(s) 'colour'"),
        (
            GOOD.replace('"sorted_then_index"', '"no_such_detector"'),
            "detector 'no_such_detector' is not a known detector",
        ),
        (GOOD + 'fix = "no_such_recipe"\n', "fix 'no_such_recipe' is not a known recipe"),
        (
            GOOD.replace('preconditions = ["report-only"]', 'preconditions = "one"'),
            "key 'preconditions' must be a list of non-empty strings",
        ),
        (GOOD + "equivalents = [1]\n", "key 'equivalents' must be a list of non-empty strings"),
        (GOOD + 'equivalents = ["PERF401"]\n', "equivalent 'PERF401' must look like 'tool:CODE'"),
        (GOOD.replace('before = "x = [1]"', 'before = "def ("'), "'before' is not valid Python"),
        (GOOD + "title = 'again'\n", "not valid TOML"),
        (GOOD.replace('"loop"', '"speed"'), "category 'speed' is not one of builtins, caching"),
        (
            GOOD.replace("Why it is slow. What the fix buys.", "Slow."),
            "two or three sentences, not 1",
        ),
        (
            GOOD.replace("Why it is slow. What the fix buys.", "A. B. C. D."),
            "two or three sentences, not 4",
        ),
        (GOOD.replace('preconditions = ["report-only"]\n', ""), "key 'preconditions' must say"),
        (
            GOOD.replace('after = "x = (1,)"', 'after = "x = [1]"'),
            "'before' and 'after' are the same",
        ),
        (GOOD + 'equivalents = ["flake9:X1"]\n', "names a tool other than perflint, pylint"),
    ],
)
def test_bad_file_is_named_with_its_problem(tmp_path: Path, text: str, problem: str) -> None:
    _write(tmp_path, "fine.toml", GOOD.format(id="fine"))
    path = _write(tmp_path, "broken.toml", text.format(id="broken"))
    with pytest.raises(CatalogError) as info:
        load_catalog(tmp_path)
    message = str(info.value)
    assert message.startswith(f"{path}: ")
    assert problem in message
    assert "\n" not in message
    assert isinstance(info.value, ConfigError)


def test_id_must_match_the_file_name(tmp_path: Path) -> None:
    path = _write(tmp_path, "right-name.toml", GOOD.format(id="other-name"))
    with pytest.raises(CatalogError, match="does not match the file name") as info:
        load_catalog(tmp_path)
    assert str(info.value).startswith(str(path))


def test_id_must_be_kebab_case(tmp_path: Path) -> None:
    _write(tmp_path, "Bad_Id.toml", GOOD.format(id="Bad_Id"))
    with pytest.raises(CatalogError, match="lower-case words joined by '-'"):
        load_catalog(tmp_path)


def test_missing_or_empty_directory(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="catalog directory not found"):
        load_catalog(tmp_path / "absent")
    (tmp_path / "empty").mkdir()
    with pytest.raises(CatalogError, match="no anti-pattern files"):
        load_catalog(tmp_path / "empty")


def test_not_utf8_is_named(tmp_path: Path) -> None:
    path = tmp_path / "latin.toml"
    path.write_bytes(GOOD.format(id="latin").replace("A title", "caf\xe9").encode("latin-1"))
    with pytest.raises(CatalogError, match="not UTF-8") as info:
        load_catalog(tmp_path)
    assert str(info.value).startswith(str(path))


def test_custom_registries_and_optional_keys(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "mine.toml",
        GOOD.format(id="mine").replace("sorted_then_index", "my_detector")
        + 'fix = "my_fix"\nequivalents = ["ruff:X1"]\n',
    )
    catalog = load_catalog(tmp_path, detectors={"my_detector"}, fixes={"my_fix"})
    entry = catalog.get("mine")
    assert entry == AntiPattern(
        id="mine",
        title="A title",
        category="loop",
        why="Why it is slow. What the fix buys.",
        before="x = [1]",
        after="x = (1,)",
        detector="my_detector",
        fix="my_fix",
        preconditions=("report-only",),
        equivalents=("ruff:X1",),
    )
    assert repr(catalog).startswith("Catalog(1 anti-patterns")
    assert Catalog([entry]).directory is None


def test_wheel_layout_maps_the_catalog_into_the_package() -> None:
    pyproject = (Path(eco.catalog.__file__).parents[2] / "pyproject.toml").read_text()
    assert '"antipatterns" = "eco/catalog/data"' in pyproject


def test_catalog_covers_ruff_perflint_and_refurb_performance_rules() -> None:
    catalog = load_catalog()
    named = {code for entry in catalog for code in entry.equivalents}
    ruff_perf = {f"ruff:PERF{n}" for n in (101, 102, 203, 401, 402, 403)}
    perflint = {
        f"perflint:{code}"
        for code in (
            "W8101", "W8102", "W8201", "W8202", "R8203", "W8204",
            "W8205", "W8301", "W8401", "W8402", "W8403", "W8501",
        )
    }  # fmt: skip
    # refurb's checks in its `performance` category
    refurb_perf = {"refurb:FURB138", "refurb:FURB140", "refurb:FURB161"}
    assert ruff_perf | perflint | refurb_perf <= named
    assert len(catalog) >= 30
    assert sum(1 for entry in catalog if entry.fix is not None) >= 15
    categories = {entry.category for entry in catalog}
    assert categories <= set(eco.catalog.CATEGORIES)
