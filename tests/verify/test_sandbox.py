"""run_sandboxed: real child processes, real limits, a real listening socket."""

from __future__ import annotations

import json
import os
import signal
import socket
import sys
import time
from pathlib import Path

import pytest

from eco.sandbox import (
    OUTPUT_LIMIT,
    Limits,
    network_isolation_available,
    run_sandboxed,
    scrubbed_env,
)

PY = sys.executable


def _alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie waiting for a reaper counts as dead)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_environment_is_built_from_scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_secret_value")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret")
    monkeypatch.setenv("ECO_WEBHOOK_SECRET", "hook-secret")
    monkeypatch.setenv("SOME_OTHER_SETTING", "x")
    result = run_sandboxed(
        [PY, "-c", "import os, json; print(json.dumps(dict(os.environ)))"],
        tmp_path,
        extra_env={"PYTHONPATH": "/somewhere"},
    )
    assert result.returncode == 0, result.stderr
    env = json.loads(result.stdout)
    assert "ghp_secret_value" not in result.stdout
    assert "sk-secret" not in result.stdout
    for name in ("GITHUB_TOKEN", "OPENAI_API_KEY", "ECO_WEBHOOK_SECRET", "SOME_OTHER_SETTING"):
        assert name not in env
    assert env["PYTHONHASHSEED"] == "0"
    assert env["PYTHONDONTWRITEBYTECODE"] == "1"
    assert env["LC_ALL"] == "C.UTF-8"
    assert env["PYTHONPATH"] == "/somewhere"
    assert env["PATH"].split(os.pathsep)[0] == os.path.dirname(PY)
    allowed = {
        "PATH",
        "LANG",
        "LC_ALL",
        "HOME",
        "TMPDIR",
        "PYTHONHASHSEED",
        "PYTHONDONTWRITEBYTECODE",
        "VIRTUAL_ENV",
        "PYTHONPATH",
    }
    # The interpreter itself may add LC_CTYPE when coercing the locale.
    assert set(env) - allowed <= {"LC_CTYPE"}


def test_home_and_tmpdir_are_fresh_and_removed(tmp_path: Path) -> None:
    code = (
        "import os, tempfile, pathlib\n"
        "home = os.environ['HOME']\n"
        "pathlib.Path(home, 'left-behind').write_text('x')\n"
        "print(home); print(tempfile.gettempdir()); print(sorted(os.listdir(home)))\n"
    )
    result = run_sandboxed([PY, "-c", code], tmp_path)
    assert result.returncode == 0, result.stderr
    home, tmpdir, listing = result.stdout.splitlines()
    assert home != str(Path.home())
    assert tmpdir == os.path.join(home, "tmp")
    assert listing == "['left-behind', 'tmp']"
    assert not Path(home).exists()


def test_scrubbed_env_takes_extra_last(tmp_path: Path) -> None:
    env = scrubbed_env(tmp_path, {"PYTHONHASHSEED": "7", "X": "1"})
    assert env["PYTHONHASHSEED"] == "7"
    assert env["X"] == "1"
    assert env["HOME"] == str(tmp_path)
    assert (tmp_path / "tmp").is_dir()


def test_timeout_kills_the_whole_process_group(tmp_path: Path) -> None:
    pidfile = tmp_path / "grandchild.pid"
    code = (
        "import subprocess, sys, time\n"
        f"p = subprocess.Popen(['sleep', '300'])\n"
        f"open({str(pidfile)!r}, 'w').write(str(p.pid))\n"
        "print('started', flush=True)\n"
        "time.sleep(300)\n"
    )
    start = time.monotonic()
    result = run_sandboxed([PY, "-c", code], tmp_path, Limits(timeout_s=1.5))
    assert time.monotonic() - start < 10
    assert result.timed_out
    assert result.returncode == -signal.SIGKILL
    assert result.stdout == "started\n"
    grandchild = int(pidfile.read_text())
    deadline = time.monotonic() + 5
    while _alive(grandchild) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(grandchild)


def test_orphans_are_killed_when_the_child_exits(tmp_path: Path) -> None:
    pidfile = tmp_path / "orphan.pid"
    code = (
        "import subprocess\n"
        "p = subprocess.Popen(['sleep', '300'])\n"
        f"open({str(pidfile)!r}, 'w').write(str(p.pid))\n"
    )
    result = run_sandboxed([PY, "-c", code], tmp_path, Limits(timeout_s=30))
    assert result.returncode == 0 and not result.timed_out
    assert result.seconds < 10
    orphan = int(pidfile.read_text())
    deadline = time.monotonic() + 5
    while _alive(orphan) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(orphan)


def test_memory_hog_is_stopped(tmp_path: Path) -> None:
    code = "x = bytearray(8 * 1024 ** 3)\nprint('allocated')"
    result = run_sandboxed([PY, "-c", code], tmp_path, Limits(memory_mb=512))
    assert result.returncode != 0
    assert "MemoryError" in result.stderr
    assert "allocated" not in result.stdout


def test_cpu_limit_stops_a_spinning_child(tmp_path: Path) -> None:
    result = run_sandboxed([PY, "-c", "while True: pass"], tmp_path, Limits(timeout_s=30, cpu_s=1))
    assert not result.timed_out
    assert result.returncode in (-signal.SIGXCPU, -signal.SIGKILL)
    assert result.seconds < 15


def test_output_is_bounded_to_the_tail(tmp_path: Path) -> None:
    code = "import sys\nsys.stdout.write('a' * (3 * 1024 * 1024) + 'END')\nsys.stderr.write('err')"
    result = run_sandboxed([PY, "-c", code], tmp_path)
    assert result.returncode == 0
    assert len(result.stdout) == OUTPUT_LIMIT
    assert result.stdout.endswith("aEND")
    assert result.stderr == "err"


def test_missing_program_is_a_result_not_an_exception(tmp_path: Path) -> None:
    result = run_sandboxed(["/nonexistent/program"], tmp_path)
    assert result.returncode == 127
    assert "nonexistent" in result.stderr


def test_network_is_cut_when_isolation_is_available(tmp_path: Path) -> None:
    if not network_isolation_available():
        pytest.skip("this host cannot create network namespaces (unshare -n / -r -n)")
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        code = (
            "import socket\n"
            "try:\n"
            f"    socket.create_connection(('127.0.0.1', {port}), timeout=3)\n"
            "    print('connected')\n"
            "except OSError as exc:\n"
            "    print('refused', type(exc).__name__)\n"
        )
        isolated = run_sandboxed([PY, "-c", code], tmp_path)
        assert isolated.returncode == 0, isolated.stderr
        assert isolated.stdout.startswith("refused"), isolated.stdout
        allowed = run_sandboxed([PY, "-c", code], tmp_path, Limits(network=True))
        assert allowed.stdout == "connected\n", allowed.stderr


def test_keyboard_interrupt_kills_the_group(tmp_path: Path) -> None:
    pidfile = tmp_path / "child.pid"
    code = (
        f"import os, time\nopen({str(pidfile)!r}, 'w').write(str(os.getpid()))\ntime.sleep(300)\n"
    )

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, 1.0)
    try:
        with pytest.raises(KeyboardInterrupt):
            run_sandboxed([PY, "-c", code], tmp_path, Limits(timeout_s=60))
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    child = int(pidfile.read_text())
    assert not _alive(child)
