"""Real profiles of one real program, made once per test session by the real profilers.

`shop` is the SHOP program (tests/profile/_programs.py) in a directory of its own, with a
`ShopProfiles` that runs each profiler the first time a test asks for its output:
cProfile, pyinstrument (a session file, and the JSON, speedscope and pstats reports
rendered from that same session), py-spy (raw collapsed stacks and speedscope) and austin.
A profiler that is not installed, or cannot attach here (py-spy and austin need ptrace),
skips the tests that need it.
"""

from __future__ import annotations

import importlib.util
from types import ModuleType

import pytest
from _programs import FIXTURES, ShopProfiles, write_shop


@pytest.fixture(scope="session")
def shop(tmp_path_factory: pytest.TempPathFactory) -> ShopProfiles:
    root = write_shop(tmp_path_factory.mktemp("shop-repo"))
    return ShopProfiles(root, tmp_path_factory.mktemp("shop-profiles"))


@pytest.fixture(scope="session")
def profile_pb2(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    """pprof's messages as Google's protobuf runtime builds them from profile.proto."""
    protoc = pytest.importorskip("grpc_tools.protoc")
    pytest.importorskip("google.protobuf")
    out = tmp_path_factory.mktemp("pb2")
    code = protoc.main(["protoc", f"-I{FIXTURES}", f"--python_out={out}", str(FIXTURES / "profile.proto")])
    assert code == 0
    spec = importlib.util.spec_from_file_location("eco_test_profile_pb2", out / "profile_pb2.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
