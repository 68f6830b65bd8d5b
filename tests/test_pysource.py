from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from eco.errors import SourceError
from eco.pysource import (
    check_syntax,
    find_function,
    function_at_line,
    module_name_for,
    parse_functions,
)

SOURCE = textwrap.dedent('''\
    import functools


    @functools.lru_cache(maxsize=None)
    def cached(n):
        return n


    class Shop:
        class Cart:
            async def total(self):
                def helper():
                    return 1
                return helper()

        @property
        def name(self):
            return "shop"


    if True:
        def guarded():
            pass
    ''').encode()


def test_qualnames_and_spans() -> None:
    functions = parse_functions(SOURCE)
    assert [f.qualname for f in functions] == [
        "cached", "Shop.Cart.total", "Shop.Cart.total.helper", "Shop.name", "guarded",
    ]
    cached = functions[0]
    assert SOURCE[cached.start_byte:cached.end_byte].decode().startswith("@functools.lru_cache")
    assert (cached.start_line, cached.def_line, cached.end_line) == (4, 5, 6)
    assert cached.decorators == ("functools.lru_cache(maxsize=None)",)
    total = find_function(functions, "Shop.Cart.total")
    assert total is not None and total.is_method
    assert SOURCE[total.start_byte:total.end_byte].decode().splitlines()[-1].strip() == "return helper()"
    assert find_function(functions, "Shop.Cart.total.<locals>.helper") is functions[2]
    assert find_function(functions, "Shop.missing") is None


def test_function_at_code_object_line() -> None:
    functions = parse_functions(SOURCE)
    assert function_at_line(functions, 4, "cached") is functions[0]  # decorator line
    assert function_at_line(functions, 5, "cached") is functions[0]  # def line
    assert function_at_line(functions, 4, "other") is None


def test_syntax_error_names_file_and_line() -> None:
    with pytest.raises(SourceError, match=r"^pkg/mod\.py:2: syntax error"):
        check_syntax(b"x = 1\ndef f(:\n", "pkg/mod.py")


def test_module_names(tmp_path: Path) -> None:
    (tmp_path / "src" / "pkg" / "sub").mkdir(parents=True)
    for init in ("src/pkg/__init__.py", "src/pkg/sub/__init__.py"):
        (tmp_path / init).write_text("")
    mod = tmp_path / "src" / "pkg" / "sub" / "mod.py"
    mod.write_text("")
    assert module_name_for(mod, tmp_path) == ("pkg.sub.mod", (tmp_path / "src").resolve())
    script = tmp_path / "tool.py"
    script.write_text("")
    assert module_name_for(script, tmp_path) == ("tool", tmp_path.resolve())
