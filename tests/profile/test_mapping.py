"""Frames from other checkouts, containers and virtualenvs still find their functions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _programs import ShopProfiles, dedent, write_shop

from eco.errors import ConfigError, ProfileError
from eco.profile import ReadOptions, load_profile
from eco.profile.mapping import RepoMap, parse_path_maps
from eco.profile.resolve import match_function
from eco.pysource import parse_functions


def _repo(tmp_path: Path) -> Path:
    root = write_shop(tmp_path / "repo")
    (root / "src" / "textkit").mkdir(parents=True)
    (root / "src" / "textkit" / "__init__.py").write_text("")
    (root / "src" / "textkit" / "stats.py").write_text("def count(xs):\n    return len(xs)\n")
    (root / "tests").mkdir()
    (root / "tests" / "test_stats.py").write_text("def test_count():\n    pass\n")
    (root / "utils.py").write_text("def helper():\n    return 1\n")
    return root


@pytest.mark.parametrize(
    ("recorded", "expected"),
    [
        ("shop/work.py", "shop/work.py"),  # relative to the root, as py-spy shortens it
        ("/app/site-packages/textkit/stats.py", "src/textkit/stats.py"),
        ("/venv/lib/python3.11/site-packages/shop/work.py", "shop/work.py"),
        ("/home/ci/build/checkout/shop/work.py", "shop/work.py"),
        ("/app/utils.py", "utils.py"),  # a bare name: a module at the top of the repository
        ("/usr/lib/python3.11/json/__init__.py", None),  # never some package's __init__.py
        ("/usr/lib/python3.11/stats.py", None),  # a bare name only matches a top-level module
        ("/elsewhere/tests/test_stats.py", None),  # excluded: tests are never targets
        ("<frozen importlib._bootstrap>", None),
        ("~", None),
        ("/app/shop/work.pyc", None),
    ],
)
def test_module_path_matching(tmp_path: Path, recorded: str, expected: str | None) -> None:
    assert RepoMap(_repo(tmp_path)).relative(recorded) == expected


def test_path_maps(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    maps = parse_path_maps(["/srv/app=.", "/srv/app/vendor=src", "C:\\build\\shop=shop"])
    assert maps[0][0] == "/srv/app/vendor"  # longest prefix first
    repo = RepoMap(root, path_map=maps)
    assert repo.relative("/srv/app/shop/work.py") == "shop/work.py"
    assert repo.relative("/srv/app/vendor/textkit/stats.py") == "src/textkit/stats.py"
    assert repo.relative("C:\\build\\shop\\work.py") == "shop/work.py"
    assert repo.relative("/srv/application/shop/work.py") == "shop/work.py"  # by module path
    for bad in ("nothing", "=x", ""):
        with pytest.raises(ConfigError, match="must look like OLD=NEW"):
            parse_path_maps([bad])


def test_profile_taken_in_a_container_maps_with_and_without_path_map(shop: ShopProfiles, tmp_path: Path) -> None:
    """A real pyinstrument session whose paths say /app (as in a container)."""
    session = json.loads(shop.pyinstrument_session().read_text())
    here = str(shop.root.resolve())
    text = json.dumps(session).replace(here, "/app")
    assert here not in text and "/app/shop/work.py" in text
    moved = tmp_path / "container.pyisession"
    moved.write_text(text)
    by_module = load_profile([moved], shop.root)
    mapped = load_profile([moved], shop.root, options=ReadOptions(path_map=("/app=" + here,)))
    original = load_profile([shop.pyinstrument_session()], shop.root)
    for profile in (by_module, mapped):
        assert [(f.file, f.qualname, f.share) for f in profile.functions] == \
            [(f.file, f.qualname, f.share) for f in original.functions]


def test_another_program_says_so(shop: ShopProfiles, tmp_path: Path) -> None:
    elsewhere = tmp_path / "other"
    elsewhere.mkdir()
    (elsewhere / "main.py").write_text("def main():\n    pass\n")
    with pytest.raises(ProfileError, match=r"no profiled function lives in .*other.*--path-map.*shop/work\.py"):
        load_profile([shop.pyinstrument_session()], elsewhere)


SOURCE = dedent('''
    import functools


    def deco(fn):
        return fn


    class Shop:
        @deco
        @functools.lru_cache
        def price(self, n):
            total = sum(i for i in range(n))
            return total

        class Cart:
            def add(self, x):
                return [y for y in x]


    def outer():
        def inner():
            return 1
        key = lambda v: -v  # noqa: E731
        return sorted([inner()], key=key)


    def outer2():
        def inner():
            return 2
        return inner()
''')


@pytest.mark.parametrize(
    ("name", "line", "first", "expected"),
    [
        ("price", 0, 9, "Shop.price"),  # cProfile: co_firstlineno is the first decorator
        ("price", 0, 11, "Shop.price"),  # or the def line
        ("Shop.price", 12, 0, "Shop.price"),  # py-spy: qualname and executing line
        ("<genexpr>", 12, 0, "Shop.price"),  # comprehensions belong to their function
        ("Shop.price.<locals>.<genexpr>", 0, 12, "Shop.price"),
        ("add", 17, 0, "Shop.Cart.add"),
        ("<listcomp>", 0, 17, "Shop.Cart.add"),
        ("inner", 22, 0, "outer.inner"),
        ("inner", 29, 0, "outer2.inner"),
        ("outer.<locals>.<lambda>", 23, 0, "outer"),
        ("outer", 24, 0, "outer"),
        ("<module>", 1, 0, None),
        ("<lambda>", 1, 0, None),  # module level: no function holds it
        ("price", 0, 0, "Shop.price"),  # no line at all: the only one of that name
        ("inner", 0, 0, None),  # ambiguous without a line
        ("outer.inner", 0, 0, "outer.inner"),
        ("Shop.price", 99, 99, "Shop.price"),  # the file changed since: by name
        ("missing", 12, 0, None),
        ("textkit.stats.count", 0, 0, None),
    ],
)
def test_match_function(name: str, line: int, first: int, expected: str | None) -> None:
    fn = match_function(parse_functions(SOURCE.encode()), name, line, first)
    assert (fn.qualname if fn else None) == expected
