"""eco.publish's __all__ is its contract; PyGithub is not imported until a client is made."""

from __future__ import annotations

import subprocess
import sys
import types

import eco.publish


def test_publish_exports() -> None:
    public = {n for n in dir(eco.publish) if not n.startswith("_")}
    modules = {n for n in public if isinstance(getattr(eco.publish, n), types.ModuleType)}
    assert set(eco.publish.__all__) == public - modules
    for name in eco.publish.__all__:
        assert getattr(eco.publish, name) is not None


def test_importing_publish_does_not_import_pygithub() -> None:
    code = "import sys, eco.publish, eco.nightly; print('github' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
