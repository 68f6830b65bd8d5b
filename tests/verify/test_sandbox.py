"""run_sandboxed: real child processes, real limits, a real listening socket, real files."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from eco import sandbox
from eco.sandbox import (
    OUTPUT_LIMIT,
    Limits,
    filesystem_isolation_available,
    network_isolation_available,
    run_sandboxed,
    scrubbed_env,
)

PY = sys.executable

needs_bwrap = pytest.mark.skipif(
    not filesystem_isolation_available(),
    reason="no working bubblewrap here (bwrap missing, or it cannot create namespaces/mounts)",
)


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


def _running(marker: str) -> list[int]:
    """Host pids of live processes whose command line holds ``marker``. A pid a child
    reports about itself is useless here: under bubblewrap it is in its own PID namespace."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if marker.encode() in cmdline and _alive(int(entry.name)):
            found.append(int(entry.name))
    return found


def _all_gone(marker: str, within: float = 5.0) -> bool:
    deadline = time.monotonic() + within
    while _running(marker) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not _running(marker)


def _sleeper(marker: str) -> str:
    """Code for a process that sleeps with ``marker`` in its command line."""
    return f"subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(300)', {marker!r}])"


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
    # The interpreter itself may add LC_CTYPE when coercing the locale; bubblewrap sets
    # PWD to the working directory it changes to.
    assert set(env) - allowed <= {"LC_CTYPE", "PWD"}
    assert env.get("PWD", os.path.realpath(tmp_path)) == os.path.realpath(tmp_path)


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
    marker = f"eco-test-grandchild-{uuid.uuid4().hex}"
    code = (
        "import subprocess, sys, time\n"
        f"{_sleeper(marker)}\n"
        "print('started', flush=True)\n"
        "time.sleep(300)\n"
    )
    start = time.monotonic()
    result = run_sandboxed([PY, "-c", code], tmp_path, Limits(timeout_s=3))
    assert time.monotonic() - start < 12
    assert result.timed_out
    assert result.returncode == -signal.SIGKILL
    assert result.stdout == "started\n"
    assert _all_gone(marker)


@needs_bwrap
def test_timeout_kills_a_grandchild_that_left_the_process_group(tmp_path: Path) -> None:
    marker = f"eco-test-setsid-{uuid.uuid4().hex}"
    escape = "import os, time; os.setsid(); time.sleep(300)"
    code = (
        "import subprocess, sys, time\n"
        f"subprocess.Popen([sys.executable, '-c', {escape!r}, {marker!r}])\n"
        "time.sleep(0.5)\n"
        "print('started', flush=True)\n"
        "time.sleep(300)\n"
    )
    result = run_sandboxed([PY, "-c", code], tmp_path, Limits(timeout_s=3))
    assert result.timed_out and result.stdout == "started\n"
    # Its own session, but still in the sandbox's PID namespace, which dies as a whole.
    assert _all_gone(marker)


def test_orphans_are_killed_when_the_child_exits(tmp_path: Path) -> None:
    marker = f"eco-test-orphan-{uuid.uuid4().hex}"
    code = f"import subprocess, sys\n{_sleeper(marker)}\n"
    result = run_sandboxed([PY, "-c", code], tmp_path, Limits(timeout_s=30))
    assert result.returncode == 0 and not result.timed_out
    assert result.seconds < 10
    assert _all_gone(marker)


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
    marker = f"eco-test-interrupted-{uuid.uuid4().hex}"
    code = f"import subprocess, sys, time\n{_sleeper(marker)}\ntime.sleep(300)\n"

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
    assert _all_gone(marker)


# File-system isolation (bubblewrap).

_TRY_WRITE = """
import errno, json, os, sys
out = {}
for how, path in json.loads(sys.argv[1]):
    try:
        if how == "delete":
            os.remove(path)
        elif how == "write":
            with open(path, "w") as f:
                f.write("changed")
        out[path] = "ok"
    except OSError as exc:
        out[path] = errno.errorcode.get(exc.errno, str(exc.errno))
print(json.dumps(out))
"""


def _attempt(cwd: Path, actions: list[tuple[str, str]], writable: list[Path] | None = None) -> dict[str, str]:
    result = run_sandboxed([PY, "-c", _TRY_WRITE, json.dumps(actions)], cwd, writable=writable or ())
    assert result.returncode == 0, result.stderr
    outcome: dict[str, str] = json.loads(result.stdout)
    return outcome


@pytest.fixture
def in_home() -> Iterator[Path]:
    """A directory in the real HOME of the user running the tests (not under /tmp)."""
    directory = Path(tempfile.mkdtemp(prefix=".eco-sandbox-test-", dir=Path.home()))
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


@needs_bwrap
def test_writes_outside_the_binds_fail_and_change_nothing(tmp_path: Path, in_home: Path) -> None:
    cwd = tmp_path / "project"
    cwd.mkdir()
    unbound = tmp_path / "not-bound"  # under /tmp but not bound: invisible inside
    unbound.mkdir()
    (unbound / "keep.txt").write_text("original")
    (in_home / "keep.txt").write_text("original")
    outcome = _attempt(cwd, [
        ("delete", str(unbound / "keep.txt")),
        ("write", str(unbound / "new.txt")),
        ("delete", str(in_home / "keep.txt")),
        ("write", str(in_home / "keep.txt")),
        ("write", str(in_home / "new.txt")),
        ("write", str(Path.home() / ".eco-sandbox-test-dropping")),
        ("write", "/etc/eco-sandbox-test"),
    ])
    refused = {"EROFS", "EPERM", "EACCES", "ENOENT"}
    assert all(outcome[path] in refused for path in outcome), outcome
    # Outside /tmp the file is there to see, and read-only.
    assert outcome[str(in_home / "keep.txt")] == "EROFS"
    assert (unbound / "keep.txt").read_text() == "original"
    assert (in_home / "keep.txt").read_text() == "original"
    assert sorted(p.name for p in unbound.iterdir()) == ["keep.txt"]
    assert sorted(p.name for p in in_home.iterdir()) == ["keep.txt"]
    assert not (Path.home() / ".eco-sandbox-test-dropping").exists()
    assert not Path("/etc/eco-sandbox-test").exists()


@needs_bwrap
def test_cwd_and_writable_paths_take_writes_the_parent_sees(tmp_path: Path) -> None:
    cwd = tmp_path / "project"
    cwd.mkdir()
    (cwd / "old.txt").write_text("original")
    results = tmp_path / "results"  # a sibling of the project, under /tmp: bound explicitly
    missing = tmp_path / "created" / "by-the-sandbox"
    outcome = _attempt(cwd, [
        ("write", str(cwd / "new.txt")),
        ("delete", str(cwd / "old.txt")),
        ("write", str(results / "out.json")),
        ("write", str(missing / "out.json")),
    ], writable=[results, missing])
    assert set(outcome.values()) == {"ok"}, outcome
    assert (cwd / "new.txt").read_text() == "changed"
    assert not (cwd / "old.txt").exists()
    assert (results / "out.json").read_text() == "changed"
    assert (missing / "out.json").read_text() == "changed"


@needs_bwrap
def test_readable_paths_are_seen_but_not_changed(tmp_path: Path) -> None:
    cwd = tmp_path / "project"
    (cwd / "frozen").mkdir(parents=True)
    inputs = tmp_path / "inputs"  # under /tmp, so invisible unless bound
    (inputs / "out").mkdir(parents=True)
    (inputs / "calls.txt").write_text("input")
    code = (
        "import sys\n"
        "print(open(sys.argv[1]).read())\n"
        "for path in sys.argv[2:]:\n"
        "    try:\n"
        "        open(path, 'w').write('x'); print('wrote')\n"
        "    except OSError as exc:\n"
        "        print(type(exc).__name__)\n"
    )
    argv = [PY, "-c", code, str(inputs / "calls.txt"), str(inputs / "calls.txt"),
            str(inputs / "out" / "result"), str(cwd / "frozen" / "f"), str(cwd / "free")]
    result = run_sandboxed(argv, cwd, writable=[inputs / "out"], readable=[inputs, cwd / "frozen"])
    assert result.returncode == 0, result.stderr
    # A readable path inside the cwd is read-only there; a writable one inside a readable
    # one stays writable.
    assert result.stdout.split() == ["input", "OSError", "wrote", "OSError", "wrote"]
    assert (inputs / "calls.txt").read_text() == "input"
    assert (inputs / "out" / "result").read_text() == "x"
    assert not (cwd / "frozen" / "f").exists()


@needs_bwrap
def test_tmp_is_private(tmp_path: Path) -> None:
    name = f"/tmp/eco-sandbox-test-{uuid.uuid4().hex}"
    code = (
        "import os, sys\n"
        "open(sys.argv[1], 'w').write('x')\n"
        "print(os.path.exists(sys.argv[1]), sys.argv[2] in os.listdir('/tmp'))\n"
    )
    outside = Path(tempfile.mkdtemp(prefix="eco-sandbox-peer-"))  # a host /tmp entry
    try:
        # A PYTHONPATH of /tmp itself must not bring the host's /tmp back.
        result = run_sandboxed([PY, "-c", code, name, outside.name], tmp_path, extra_env={"PYTHONPATH": "/tmp"})
    finally:
        outside.rmdir()
    assert result.returncode == 0, result.stderr
    assert result.stdout == "True False\n"
    assert not Path(name).exists()


@needs_bwrap
def test_home_and_tmpdir_are_writable_under_bwrap(tmp_path: Path) -> None:
    code = (
        "import os, tempfile\n"
        "with tempfile.NamedTemporaryFile(dir=tempfile.gettempdir()) as f: f.write(b'x')\n"
        "open(os.path.join(os.environ['HOME'], '.rc'), 'w').write('x')\n"
        "print('ok')\n"
    )
    result = run_sandboxed([PY, "-c", code], tmp_path)
    assert result.stdout == "ok\n", result.stderr


@needs_bwrap
def test_no_capability_beyond_file_permissions(tmp_path: Path) -> None:
    code = "print(next(l for l in open('/proc/self/status') if l.startswith('CapEff')).split()[1])"
    result = run_sandboxed([PY, "-c", code], tmp_path)
    assert result.returncode == 0, result.stderr
    dac = (1 << 1) | (1 << 2)  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH: root's file access
    assert int(result.stdout, 16) & ~dac == 0  # no CAP_SYS_ADMIN: no remounting / read-write


@needs_bwrap
def test_signals_are_reported_as_subprocess_does(tmp_path: Path) -> None:
    code = "import os, signal\nos.kill(os.getpid(), signal.SIGTERM)\n"
    assert run_sandboxed([PY, "-c", code], tmp_path).returncode == -signal.SIGTERM
    assert run_sandboxed([PY, "-c", "raise SystemExit(3)"], tmp_path).returncode == 3


def test_without_bwrap_the_old_behaviour_stays(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sandbox, "_bwrap", lambda: None)
    assert not filesystem_isolation_available()
    cwd = tmp_path / "project"
    cwd.mkdir()
    elsewhere = tmp_path / "elsewhere.txt"
    outcome = _attempt(cwd, [("write", str(elsewhere))])
    assert outcome == {str(elsewhere): "ok"}
    assert elsewhere.read_text() == "changed"


def test_probe_failure_means_no_isolation(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake = tmp_path / "bwrap"
    fake.write_text("#!/bin/sh\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ.get('PATH', '')}")
    sandbox._bwrap.cache_clear()
    try:
        assert sandbox._bwrap() is None
    finally:
        sandbox._bwrap.cache_clear()


@needs_bwrap
def test_masked_files_read_as_empty(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The App's private key file (eco serve masks it) is unreadable to code under test,
    wherever it lies; other files stay readable."""
    monkeypatch.setattr(sandbox, "_MASKED", set())
    home = Path.home() / f".eco-mask-test-{uuid.uuid4().hex}"
    home.mkdir()
    try:
        key = home / "app.pem"
        key.write_text("-----BEGIN PRIVATE KEY-----\nsecret\n")
        other = home / "other.txt"
        other.write_text("visible")
        sandbox.mask_files([key])
        code = (
            "import sys\n"
            "def read(path):\n"
            "    try:\n"
            "        return open(path).read()\n"
            "    except OSError as exc:\n"
            "        return type(exc).__name__\n"
            "print(read(sys.argv[1]) or 'empty', read(sys.argv[2]))\n"
        )
        result = run_sandboxed([PY, "-c", code, str(key), str(other)], tmp_path)
        assert result.returncode == 0, result.stderr
        shown, visible = result.stdout.split()
        assert shown in {"empty", "PermissionError"}
        assert visible == "visible"
    finally:
        shutil.rmtree(home)


def test_eco_import_path_exposes_the_eco_package_and_nothing_beside_it(tmp_path: Path) -> None:
    """Without site-packages (-S), a child sees eco through the link alone: the package
    imports, and the repository it may run from (tests/, examples/) is not on the path."""
    import subprocess

    entry = sandbox.eco_import_path(tmp_path / "path")
    code = ("import eco.verify.replay_worker, importlib.util, sys\n"
            "print(eco.__file__)\n"
            "print(importlib.util.find_spec('tests') is None, importlib.util.find_spec('examples') is None)\n")
    done = subprocess.run([sys.executable, "-S", "-c", code], env={"PYTHONPATH": entry, "PATH": os.environ["PATH"]},
                          cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    where, hidden = done.stdout.splitlines()
    assert Path(where) == Path(entry) / "eco" / "__init__.py"
    assert hidden == "True True"
