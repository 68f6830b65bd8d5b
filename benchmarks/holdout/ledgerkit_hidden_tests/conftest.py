"""Hidden tests of ledgerkit: eco never sees this folder.

They compare the package under test (possibly patched by eco) with a frozen reference:
the pristine modules of ``benchmarks/holdout/ledgerkit/ledgerkit`` (``LEDGERKIT_PRISTINE``
names that folder when the tests run from a copy), loaded as ``ledgerkit_ref.*`` but
sharing the value types of the package under test, so that results compare directly.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import types
from pathlib import Path

PRISTINE = Path(os.environ.get("LEDGERKIT_PRISTINE", Path(__file__).resolve().parent.parent / "ledgerkit" / "ledgerkit"))
MODULES = ("parse", "accounts", "aggregate", "report", "settle")


def _load_reference() -> None:
    if "ledgerkit_ref" in sys.modules:
        return
    package = types.ModuleType("ledgerkit_ref")
    package.__path__ = []
    sys.modules["ledgerkit_ref"] = package
    for name in MODULES:
        source = (PRISTINE / f"{name}.py").read_text()
        spec = importlib.util.spec_from_loader(f"ledgerkit_ref.{name}", loader=None)
        assert spec is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        exec(compile(source, str(PRISTINE / f"{name}.py"), "exec"), module.__dict__)
        setattr(package, name, module)


_load_reference()
