"""Run code under test in a child process that cannot see eco's secrets or outlive its limits.

Every command that executes repository code (tests, replay, benchmarks, workloads) goes
through `run_sandboxed`. What the child gets:

- an environment built from scratch (`scrubbed_env`): PATH, a C.UTF-8 locale, a fresh
  temporary HOME and TMPDIR (removed afterwards), PYTHONHASHSEED=0,
  PYTHONDONTWRITEBYTECODE=1, VIRTUAL_ENV when eco itself runs in one, and what the caller
  passes in ``extra_env`` (under bubblewrap also PWD, the working directory). Nothing
  else from ``os.environ`` passes: no tokens, no API keys;
- its own session and process group, killed as a whole (SIGKILL) on timeout, on Ctrl-C in
  eco, and after the child exits, so grandchildren it left behind die with it;
- resource limits: address space (``memory_mb``), CPU seconds (``cpu_s``), no core dumps;
- an empty network namespace when ``Limits.network`` is False and the host allows it.
  Where it does not, `network_isolation_available` is False so callers can say the run
  had network access;
- where bubblewrap (``bwrap``) is on PATH and a probe shows it works here, a read-only
  view of the file system: the child runs under ``bwrap --ro-bind / /`` with a fresh
  ``/dev`` and ``/proc``, a private ``/tmp`` (an empty tmpfs, gone when it exits), its
  own PID namespace (``--unshare-pid``, so nothing it starts outlives it),
  ``--die-with-parent``, ``--unshare-net`` unless ``Limits.network``, and no
  capabilities (``--cap-drop ALL``; as root it keeps only CAP_DAC_OVERRIDE and
  CAP_DAC_READ_SEARCH, so it cannot mount or remount anything). It can write only in
  its working directory, its temporary HOME (TMPDIR is inside it) and the ``writable``
  paths the caller names; a write or delete anywhere else fails (EROFS; ENOENT under
  /tmp) and changes nothing, and what it writes to ``/tmp`` never reaches the host.
  The host's ``/tmp`` is hidden but for what is bound: the cwd, HOME and ``writable``
  paths writable; ``readable`` paths, eco's interpreter, site-packages and package and
  the child's PYTHONPATH entries read-only. `filesystem_isolation_available` says whether this is
  in force.

Where ``bwrap`` is missing or its probe fails (no user namespaces, a container that
forbids mounts), the child runs as before this existed: it can write wherever the user
running eco can, and network isolation falls back to ``unshare -n`` (as root) or
``unshare -r -n``.
"""

from __future__ import annotations

import contextlib
import os
import resource
import selectors
import shutil
import signal
import site
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import IO

__all__ = [
    "Limits",
    "SandboxResult",
    "eco_import_path",
    "filesystem_isolation_available",
    "import_path",
    "last_line",
    "mask_files",
    "network_isolation_available",
    "run_sandboxed",
    "scrubbed_env",
]

#: The most output kept from each stream; older output is dropped.
OUTPUT_LIMIT = 1 << 20
#: How long to keep reading after the child exits, if something it spawned escaped the
#: process group and still holds the pipes open.
_DRAIN_GRACE_S = 1.0


@dataclass(frozen=True)
class Limits:
    """What a sandboxed command may use."""

    #: Wall-clock seconds before the whole process group is killed.
    timeout_s: float = 600.0
    #: Address-space limit per process (RLIMIT_AS), or None for no limit.
    memory_mb: int | None = 4096
    #: CPU-seconds limit per process (RLIMIT_CPU), or None for no limit.
    cpu_s: int | None = None
    #: Whether the child may use the network. False isolates it where the host allows.
    network: bool = False


@dataclass(frozen=True)
class SandboxResult:
    """What a sandboxed command did."""

    #: Exit status; negative for a signal (as `subprocess` reports it).
    returncode: int
    #: The last `OUTPUT_LIMIT` bytes of each stream, decoded as UTF-8 (bad bytes replaced).
    stdout: str
    stderr: str
    #: True when the command was killed for running past ``Limits.timeout_s``.
    timed_out: bool
    #: Wall-clock seconds the command ran.
    seconds: float


def scrubbed_env(home: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment a child gets: built from scratch, never copied from ``os.environ``.

    Args:
        home: The child's HOME; TMPDIR is ``home / "tmp"``, created here if missing.
        extra: Variables the caller adds (they win over the defaults).

    Returns:
        A new dict; only PATH and VIRTUAL_ENV are read from eco's own environment. PATH
        starts with the directory of eco's own interpreter.
    """
    tmp = home / "tmp"
    tmp.mkdir(parents=True, exist_ok=True)
    # eco's own interpreter directory first: `python` and `pytest` then mean the
    # interpreter eco runs under, even where PATH holds shims (pyenv) that need a HOME.
    path = os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", os.defpath)])
    env = {
        "PATH": path,
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "HOME": str(home),
        "TMPDIR": str(tmp),
        # A fixed hash seed makes set/dict-of-str iteration order the same on the
        # baseline and the candidate side, so equal code replays equally.
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    venv = os.environ.get("VIRTUAL_ENV")
    if venv:
        env["VIRTUAL_ENV"] = venv
    if extra:
        env.update(extra)
    return env


@lru_cache(maxsize=1)
def _unshare_prefix() -> tuple[str, ...] | None:
    """The argv prefix that gives a child an empty network namespace, or None."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return None
    candidates: list[tuple[str, ...]] = [(unshare, "-n")] if os.geteuid() == 0 else []
    candidates.append((unshare, "-r", "-n"))
    true = shutil.which("true") or "/bin/true"
    for prefix in candidates:
        try:
            probe = subprocess.run(
                [*prefix, true],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                timeout=10,
                check=False,
            )
        except (OSError, subprocess.SubprocessError):
            continue
        if probe.returncode == 0:
            return prefix
    return None


def eco_import_path(directory: Path) -> str:
    """A PYTHONPATH entry that lets a sandboxed child ``import eco`` and nothing else.

    eco need not be installed: ``directory`` gets a single symlink named ``eco`` to this
    package, so the repository eco was run from (its ``tests``, ``examples``...) stays off
    the child's path. Put the result in ``extra_env["PYTHONPATH"]``.
    """
    package = Path(__file__).resolve().parent
    directory.mkdir(parents=True, exist_ok=True)
    link = directory / "eco"
    if not (link.is_symlink() and link.resolve() == package):
        link.unlink(missing_ok=True)
        link.symlink_to(package, target_is_directory=True)
    return str(directory)


def network_isolation_available() -> bool:
    """Whether `run_sandboxed` can cut a child off the network on this host (probed once)."""
    return _bwrap() is not None or _unshare_prefix() is not None


def filesystem_isolation_available() -> bool:
    """Whether `run_sandboxed` runs children under bubblewrap here (probed once): a
    read-only file system but for the cwd, HOME and ``writable``, and a private /tmp.
    False means children can write wherever the user running eco can."""
    return _bwrap() is not None


#: Hidden inside the sandbox (a private tmpfs replaces it) unless a path under it is bound.
_PRIVATE_TMP = "/tmp"


#: Files no sandboxed child may read (`mask_files`).
_MASKED: set[str] = set()


def mask_files(paths: Iterable[str | Path]) -> None:
    """Hide these files (an App's private key, secret files) from every child started
    from now on: under bubblewrap each is covered by /dev/null (reads fail). Without
    bubblewrap a child runs as eco's user and can read what eco can (README)."""
    _MASKED.update(os.path.realpath(p) for p in paths)


def _hidden(path: str) -> bool:
    """Whether ``path`` (resolved) lies under the host's /tmp, which the child cannot see."""
    tmp = os.path.realpath(_PRIVATE_TMP)
    return path == tmp or path.startswith(tmp.rstrip("/") + "/")


def _within(path: str, parent: str) -> bool:
    return path == parent or path.startswith(parent.rstrip("/") + "/")


def _readable(env: Mapping[str, str]) -> list[str]:
    """What the child must be able to read though it may lie under /tmp: eco's own
    interpreter, installed packages and package (so ``python -m eco...`` works) and the
    child's PYTHONPATH. Never /tmp itself: binding that would undo the private /tmp."""
    package = Path(__file__).resolve().parent
    candidates = [
        sys.prefix,
        sys.exec_prefix,
        sys.base_prefix,
        os.path.dirname(sys.executable),
        *site.getsitepackages(),
        site.getusersitepackages(),
        str(package),
        str(package.parent),  # where an editable install of eco points
        *env.get("PYTHONPATH", "").split(os.pathsep),
    ]
    tmp = os.path.realpath(_PRIVATE_TMP)
    found: list[str] = []
    for entry in candidates:
        if not entry or not os.path.isabs(entry):
            continue
        path = os.path.realpath(entry)
        if path != tmp and _hidden(path) and os.path.exists(path) and path not in found:
            found.append(path)
    return found


def _bwrap_command(
    bwrap: str,
    command: Sequence[str],
    cwd: Path,
    writable: Sequence[Path],
    env: Mapping[str, str],
    network: bool,
    readable: Sequence[Path] = (),
) -> list[str]:
    """``command`` wrapped in bwrap: everything read-only but ``cwd`` and ``writable``;
    ``readable`` is bound read-only, even inside a writable path."""
    args = [
        bwrap,
        "--ro-bind", "/", "/",
        "--dev", "/dev",
        "--proc", "/proc",
        "--tmpfs", _PRIVATE_TMP,
        "--unshare-pid",
        "--die-with-parent",
        "--cap-drop", "ALL",
    ]  # fmt: skip
    if os.geteuid() == 0:
        # Root keeps root's way past file permissions (a checkout owned by another user
        # stays writable where it is bound writable), and nothing else: no mounts, so the
        # read-only binds hold.
        args += ["--cap-add", "CAP_DAC_OVERRIDE", "--cap-add", "CAP_DAC_READ_SEARCH"]
    if not network:
        args.append("--unshare-net")
    write: list[str] = []
    for entry in [cwd, *writable]:
        path = os.path.realpath(entry)
        if path not in write:
            write.append(path)
    read = [os.path.realpath(p) for p in readable if os.path.exists(p)]
    read += [p for p in _readable(env) if p not in read and not any(_within(p, w) for w in write)]
    # A later bind covers what an earlier one put beneath it: parents go first, so the
    # deeper bind wins, and at the same path the writable one.
    binds = [(p.count("/"), 0, "--ro-bind", p) for p in read if p not in write]
    binds += [(p.count("/"), 1, "--bind", p) for p in write]
    for _depth, _order, option, path in sorted(binds):
        args += [option, path, path]
    for path in sorted(_MASKED):
        if os.path.isfile(path):
            args += ["--ro-bind", "/dev/null", path]
    args += ["--chdir", os.path.realpath(cwd), "--", *command]
    return args


@lru_cache(maxsize=1)
def _bwrap() -> str | None:
    """The path of a ``bwrap`` that works here, or None (probed once).

    The probe is a real sandboxed write: a child under the full set of options must be
    able to write a file in its bound working directory (made in the system temp dir,
    so usually a bind over the private /tmp) that the parent then reads.
    """
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return None
    scratch = Path(tempfile.mkdtemp(prefix="eco-bwrap-probe-"))
    try:
        target = scratch / "probe"
        code = "import sys; open(sys.argv[1], 'w').write('ok')"
        env = {"PATH": os.environ.get("PATH", os.defpath), "LC_ALL": "C.UTF-8"}
        argv = _bwrap_command(
            bwrap, [sys.executable, "-I", "-S", "-c", code, str(target)], scratch, (), env, False
        )
        probe = subprocess.run(
            argv,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=30,
            check=False,
        )
        works = probe.returncode == 0 and target.read_text(encoding="utf-8") == "ok"
    except (OSError, subprocess.SubprocessError, UnicodeDecodeError):
        works = False
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return bwrap if works else None


def _findable(program: str, cwd: Path, path: str) -> bool:
    """Whether the child could exec ``program`` (looked up as execvp would)."""
    if "/" in program:
        candidate = Path(program) if os.path.isabs(program) else cwd / program
        return candidate.is_file() and os.access(candidate, os.X_OK)
    return shutil.which(program, path=path) is not None


def _limit_setter(limits: Limits) -> Callable[[], None]:
    memory = limits.memory_mb
    cpu = limits.cpu_s

    def apply() -> None:  # runs in the child between fork and exec
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if memory is not None:
            size = memory * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (size, size))
        if cpu is not None:
            # The soft limit sends SIGXCPU; the hard one a second later kills.
            resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))

    return apply


class _Tail:
    """The last `OUTPUT_LIMIT` bytes written to a stream."""

    def __init__(self) -> None:
        self.data = bytearray()

    def add(self, chunk: bytes) -> None:
        self.data += chunk
        if len(self.data) > 2 * OUTPUT_LIMIT:
            del self.data[: len(self.data) - OUTPUT_LIMIT]

    def text(self) -> str:
        return bytes(self.data[-OUTPUT_LIMIT:]).decode("utf-8", "replace")


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def _exited(pid: int) -> bool:
    """True once ``pid`` has exited; leaves it unreaped so its group id stays reserved."""
    try:
        info = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    except ChildProcessError:
        return True
    return info is not None


def run_sandboxed(
    argv: Sequence[str],
    cwd: Path,
    limits: Limits = Limits(),  # frozen, so a shared default is safe
    extra_env: Mapping[str, str] | None = None,
    writable: Sequence[Path] = (),
    readable: Sequence[Path] = (),
) -> SandboxResult:
    """Run ``argv`` in ``cwd`` under ``limits`` and return what it did; never raises for the
    child's own failures (a missing program is returncode 127 with the reason in stderr).

    Args:
        argv: The command; the program is looked up on the scrubbed PATH.
        cwd: Working directory for the child, writable.
        limits: Time, memory, CPU and network limits.
        extra_env: Variables added to `scrubbed_env` (e.g. PYTHONPATH).
        writable: Where else the child may write, e.g. the directory its output files go
            to: directories (created here if missing) or existing files. Under
            bubblewrap nothing else outside cwd and HOME is writable, and paths under
            /tmp not named here are invisible; without it (see
            `filesystem_isolation_available`) this has no effect.
        readable: Inputs the child reads that may lie under /tmp (visible only when
            bound), bound read-only; one inside cwd or a writable path is read-only
            there, and a writable path inside one stays writable. No effect without
            bubblewrap.

    Raises:
        KeyboardInterrupt: re-raised after the child's whole process group is killed.
    """
    home = Path(tempfile.mkdtemp(prefix="eco-sandbox-"))
    try:
        env = scrubbed_env(home, extra_env)
        command = list(argv)
        bwrap = _bwrap()
        if bwrap is not None:
            if not command or not _findable(command[0], cwd, env["PATH"]):
                program = command[0] if command else ""
                return SandboxResult(127, "", f"cannot run {program!r}: no such program\n", False, 0.0)
            for path in writable:
                if not path.exists():
                    path.mkdir(parents=True, exist_ok=True)
            command = _bwrap_command(
                bwrap, command, cwd, [home, *writable], env, limits.network, readable
            )
            result = _run(command, cwd, env, limits)
            return _signal_status(result)
        if not limits.network:
            prefix = _unshare_prefix()
            if prefix is not None:
                command = [*prefix, *command]
        return _run(command, cwd, env, limits)
    finally:
        shutil.rmtree(home, ignore_errors=True)


def _signal_status(result: SandboxResult) -> SandboxResult:
    """bwrap reports a child killed by signal N as exit status 128+N, the shell's way;
    turn that back into -N as `subprocess` reports it. (A child that itself exits with
    129..128+NSIG is read as a signal too; nothing tells the two apart.)"""
    signum = result.returncode - 128
    if 0 < signum < signal.NSIG and not result.timed_out:
        return SandboxResult(-signum, result.stdout, result.stderr, result.timed_out, result.seconds)
    return result


def _run(command: list[str], cwd: Path, env: dict[str, str], limits: Limits) -> SandboxResult:
    start = time.monotonic()
    try:
        proc = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
            preexec_fn=_limit_setter(limits),
        )
    except OSError as exc:
        return SandboxResult(127, "", f"cannot run {command[0]!r}: {exc}\n", False, 0.0)
    pgid = proc.pid  # start_new_session: the child leads its own group
    tails = {"stdout": _Tail(), "stderr": _Tail()}
    timed_out = False
    try:
        assert proc.stdout is not None and proc.stderr is not None
        timed_out = _pump(
            proc,
            {proc.stdout: tails["stdout"], proc.stderr: tails["stderr"]},
            start + limits.timeout_s,
            pgid,
        )
    except BaseException:
        _kill_group(pgid)
        proc.wait()
        raise
    finally:
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
    # The leader has exited but is not reaped yet, so the group id cannot have been
    # reused: kill whatever it left running, then reap.
    _kill_group(pgid)
    returncode = proc.wait()
    return SandboxResult(
        returncode=returncode,
        stdout=tails["stdout"].text(),
        stderr=tails["stderr"].text(),
        timed_out=timed_out,
        seconds=time.monotonic() - start,
    )


def _pump(
    proc: subprocess.Popen[bytes], streams: dict[IO[bytes], _Tail], deadline: float, pgid: int
) -> bool:
    """Read both pipes until the child exits and they close; True if it timed out."""
    timed_out = False
    exited_at: float | None = None
    with selectors.DefaultSelector() as selector:
        for stream in streams:
            os.set_blocking(stream.fileno(), False)
            selector.register(stream, selectors.EVENT_READ, stream)
        while selector.get_map():
            now = time.monotonic()
            if exited_at is None and _exited(proc.pid):
                # Orphans left in the group die now, so their ends of the pipes close.
                _kill_group(pgid)
                exited_at = now
            if exited_at is not None and now - exited_at > _DRAIN_GRACE_S:
                break  # something escaped the group and holds the pipes; stop reading
            if now >= deadline and not timed_out:
                timed_out = True
                _kill_group(pgid)
                exited_at = exited_at if exited_at is not None else now
            for key, _ in selector.select(timeout=0.05):
                ready: IO[bytes] = key.data
                try:
                    chunk = os.read(ready.fileno(), 65536)
                except BlockingIOError:
                    continue
                if chunk:
                    streams[ready].add(chunk)
                else:
                    selector.unregister(ready)
    while not _exited(proc.pid):
        if time.monotonic() >= deadline and not timed_out:
            timed_out = True
            _kill_group(pgid)
        time.sleep(0.01)
    return timed_out


def import_path(project_dir: Path) -> str:
    """PYTHONPATH that makes a project's own packages win over installed copies of them."""
    roots = [project_dir]
    if (project_dir / "src").is_dir():
        roots.insert(0, project_dir / "src")
    return os.pathsep.join(str(r) for r in roots)


def last_line(output: str, default: str = "no output", limit: int = 300) -> str:
    """The last non-blank line of a child's output: what a one-line reason quotes."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    return lines[-1][:limit] if lines else default
