"""Reading ``antipatterns/*.toml`` and checking every file against the schema at load time.

A file is one TOML table::

    id = "list-pop-front"                  # equal to the file stem
    title = "..."                          # one line
    category = "data-structure"            # one of CATEGORIES
    why = "..."                            # 2-3 sentences
    before = '''...'''                     # Python code, must compile
    after = '''...'''                      # Python code, must compile, differs from before
    detector = "list_pop_front"            # a name in eco.draft.detectors.DETECTORS
    fix = "list_pop_front"                 # optional: a name in eco.draft.recipes.RECIPES
    preconditions = ["..."]                # when the fix is safe, or why it is report-only
    equivalents = ["ruff:PERF401"]         # optional, tool:CODE with tool in TOOLS

Unknown keys are rejected so a typo cannot silently drop a field.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any

import eco
from eco.catalog.model import AntiPattern, Catalog, CatalogError

__all__ = ["CATEGORIES", "TOOLS", "default_directory", "load_catalog"]

_REQUIRED_STR = ("id", "title", "category", "why", "before", "after", "detector")
_OPTIONAL_STR = ("fix",)
_OPTIONAL_LIST = ("preconditions", "equivalents")
_KNOWN = frozenset((*_REQUIRED_STR, *_OPTIONAL_STR, *_OPTIONAL_LIST))
_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_EQUIVALENT = re.compile(r"[a-z0-9_-]+:[A-Za-z0-9_-]+")
#: The families an anti-pattern belongs to.
CATEGORIES = frozenset({"builtins", "caching", "data-structure", "loop", "regex"})
#: The linters whose rule codes an entry may name as equivalents.
TOOLS = frozenset({"perflint", "pylint", "refurb", "ruff"})
_CODE_SPAN = re.compile(r"`[^`]*`")
_SENTENCE_END = re.compile(r"[.!?](?:\s|$)")


def default_directory() -> Path:
    """``eco/catalog/data`` in a wheel install, else ``<repo>/antipatterns`` (editable install)."""
    package = Path(eco.__file__).parent
    installed = package / "catalog" / "data"
    if installed.is_dir():
        return installed
    return package.parent / "antipatterns"


def load_catalog(
    directory: Path | None = None,
    *,
    detectors: Collection[str] | None = None,
    fixes: Collection[str] | None = None,
) -> Catalog:
    """Read and validate every ``*.toml`` file in ``directory``.

    Args:
        directory: Where the data files are; `default_directory()` when ``None``.
        detectors: Detector names a file may refer to; the draft stage's registry when ``None``.
        fixes: Recipe names a file may refer to; the draft stage's registry when ``None``.

    Raises:
        CatalogError: A missing directory, or a file that is not valid (names the file).
    """
    directory = default_directory() if directory is None else directory
    if detectors is None or fixes is None:
        # The catalog names code that lives in the draft stage. Import it only here, at call
        # time, so `eco.catalog` stays importable on its own and `eco.draft` can import it.
        from eco.draft.detectors import DETECTORS
        from eco.draft.recipes import RECIPES

        detectors = DETECTORS if detectors is None else detectors
        fixes = RECIPES if fixes is None else fixes
    if not directory.is_dir():
        raise CatalogError(f"{directory}: anti-pattern catalog directory not found")
    files = sorted(directory.glob("*.toml"))
    if not files:
        raise CatalogError(f"{directory}: no anti-pattern files (*.toml) in the catalog directory")
    return Catalog((_load_file(path, detectors, fixes) for path in files), directory)


def _load_file(path: Path, detectors: Collection[str], fixes: Collection[str]) -> AntiPattern:
    def fail(problem: str) -> CatalogError:
        return CatalogError(f"{path}: {problem}")

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise fail(f"cannot be read ({exc.strerror or exc})") from exc
    except UnicodeDecodeError as exc:
        raise fail(f"not UTF-8 text (byte {exc.start})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise fail(f"not valid TOML: {exc}") from exc

    unknown = sorted(set(data) - _KNOWN)
    if unknown:
        raise fail(f"unknown key(s) {', '.join(map(repr, unknown))}")
    for key in _REQUIRED_STR:
        if key not in data:
            raise fail(f"missing required key {key!r}")
    for key in (*_REQUIRED_STR, *_OPTIONAL_STR):
        if key in data:
            _check_str(data[key], key, fail)
    lists = {key: _check_list(data.get(key, []), key, fail) for key in _OPTIONAL_LIST}

    if data["id"] != path.stem:
        raise fail(f"id {data['id']!r} does not match the file name (expected {path.stem!r})")
    if not _ID.fullmatch(data["id"]):
        raise fail(f"id {data['id']!r} must be lower-case words joined by '-'")
    if data["category"] not in CATEGORIES:
        raise fail(f"category {data['category']!r} is not one of {', '.join(sorted(CATEGORIES))}")
    sentences = len(_SENTENCE_END.findall(_CODE_SPAN.sub("code", data["why"].strip())))
    if not 2 <= sentences <= 3:
        raise fail(f"key 'why' must be two or three sentences, not {sentences}")
    if not lists["preconditions"]:
        raise fail(
            "key 'preconditions' must say when the fix is safe (or why the entry is report-only)"
        )
    if data["before"].strip() == data["after"].strip():
        raise fail("'before' and 'after' are the same code")
    if data["detector"] not in detectors:
        raise fail(f"detector {data['detector']!r} is not a known detector")
    fix = data.get("fix")
    if fix is not None and fix not in fixes:
        raise fail(f"fix {fix!r} is not a known recipe")
    for key in ("before", "after"):
        try:
            compile(data[key], f"{path.name}:{key}", "exec", dont_inherit=True)
        except SyntaxError as exc:
            raise fail(f"{key!r} is not valid Python (line {exc.lineno}: {exc.msg})") from exc
    for code in lists["equivalents"]:
        if not _EQUIVALENT.fullmatch(code):
            raise fail(f"equivalent {code!r} must look like 'tool:CODE' (e.g. 'ruff:PERF401')")
        if code.split(":")[0] not in TOOLS:
            raise fail(f"equivalent {code!r} names a tool other than {', '.join(sorted(TOOLS))}")
    return AntiPattern(
        id=data["id"],
        title=data["title"],
        category=data["category"],
        why=data["why"].strip(),
        before=data["before"],
        after=data["after"],
        detector=data["detector"],
        fix=fix,
        preconditions=lists["preconditions"],
        equivalents=lists["equivalents"],
    )


def _check_str(value: Any, key: str, fail: Callable[[str], CatalogError]) -> None:
    if not isinstance(value, str):
        raise fail(f"key {key!r} must be a string, not {type(value).__name__}")
    if not value.strip():
        raise fail(f"key {key!r} must not be empty")


def _check_list(value: Any, key: str, fail: Callable[[str], CatalogError]) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(
        isinstance(item, str) and item.strip() for item in value
    ):
        raise fail(f"key {key!r} must be a list of non-empty strings")
    return tuple(value)
