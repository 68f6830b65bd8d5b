"""Record real calls of hot functions inside the workload process.

`start` installs a profile hook (``sys.setprofile`` here and in threads started later,
via ``threading.setprofile``); `stop` removes it and writes everything it kept to the
capture file (`eco.capture.store`) in one atomic step. `start` also registers `stop` with
``atexit``, so a workload that simply ends still gets its calls written; a process that
leaves through ``os._exit`` (forked workers) writes nothing.

Targets are matched by code object: ``(abs filename, co_firstlineno, co_name)``. On each
``call`` event of a target, the call's arguments are rebuilt from ``frame.f_locals`` (which
at that moment holds only the parameters) and pickled at once, before the body can
mutate them. A method's instance is ``args[0]``.

The tracer must never change what the workload does: every error of its own is swallowed,
and once every target has its fill of calls the hook is removed so the rest of the
workload runs at full speed. Known limits: threads already running when `start` is called
are not traced; a profiler installed before `start` (cProfile) is left alone and nothing
is captured (each summary says so); only one `start` per process is honoured.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import inspect
import io
import json
import os
import pickle
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from types import CodeType, FrameType, FunctionType
from typing import Any

__all__ = ["start", "stop"]

_MAX_REASONS = 10
_GENERATOR_FLAGS = inspect.CO_GENERATOR | inspect.CO_COROUTINE | inspect.CO_ASYNC_GENERATOR


class _TooBig(Exception):
    pass


class _MainReference(Exception):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


class _BoundedBuffer(io.BytesIO):
    """A pickle sink that refuses to grow past ``limit`` bytes (stops big pickles early)."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def write(self, data: Any) -> int:
        if self.tell() + len(data) > self.limit:
            raise _TooBig
        return super().write(data)


class _Pickler(pickle.Pickler):
    """Refuses objects that would pickle as references into ``__main__``: the replay
    process cannot import the workload's script."""

    def reducer_override(self, obj: Any) -> Any:
        # Classes and functions pickle by reference to their module; instances by their class.
        if isinstance(obj, type | FunctionType) and obj.__module__ == "__main__":
            raise _MainReference(obj.__qualname__)
        if type(obj).__module__ == "__main__":
            raise _MainReference(type(obj).__qualname__)
        return NotImplemented


@dataclass
class _Target:
    file: str
    qualname: str
    is_generator: bool = False
    #: For generator functions: the f_lasti of a first resume (later resumes differ).
    entry_lasti: int | None = None
    #: The function's defaults, so arguments left to them are left out of the capture.
    defaults: tuple[Any, ...] = ()
    kwdefaults: dict[str, Any] = field(default_factory=dict)
    seen: int = 0
    stored: int = 0
    bytes_total: int = 0
    uncapturable: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    calls: list[bytes] = field(default_factory=list)

    def refuse(self, reason: str) -> None:
        self.uncapturable += 1
        if reason in self.reasons or len(self.reasons) < _MAX_REASONS:
            self.reasons[reason] = self.reasons.get(reason, 0) + 1


class _Tracer:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.db = Path(spec["db"])
        self.max_calls = int(spec.get("max_calls", 64))
        self.max_call_bytes = int(spec.get("max_call_bytes", 1 << 20))
        self.max_total_bytes = int(spec.get("max_total_bytes", 16 << 20))
        self.pid = os.getpid()
        self.lock = threading.Lock()
        self.active = False
        self.stopped = False
        self.note = ""
        #: (realpath, co_firstlineno, co_name) -> target
        self.by_key: dict[tuple[str, int, str], _Target] = {}
        self.targets: list[_Target] = []
        for t in spec.get("targets", []):
            target = _Target(file=str(t["file"]), qualname=str(t["qualname"]))
            self.targets.append(target)
            key = (os.path.realpath(str(t["path"])), int(t["line"]), str(t["name"]))
            self.by_key[key] = target
        #: code object -> target or None (memo of the match, so the hot path is one lookup)
        self.codes: dict[CodeType, _Target | None] = {}
        self.open = len(self.targets)

    # The hook runs for every call/return in the workload: keep the miss path short.
    def hook(self, frame: FrameType, event: str, arg: object) -> None:
        if event != "call":
            return
        try:
            code = frame.f_code
            target = self.codes.get(code, _MISS)
            if target is _MISS:
                target = self._match(code)
            if target is not None:
                self._record(target, frame)
            if not self.active:
                sys.setprofile(None)
        except Exception:  # never raise into the workload
            pass

    def _match(self, code: CodeType) -> _Target | None:
        path = code.co_filename
        if not path.startswith("<"):
            path = os.path.realpath(path)
        target = self.by_key.get((path, code.co_firstlineno, code.co_name))
        if target is not None:
            target.is_generator = bool(code.co_flags & _GENERATOR_FLAGS)
            # Once per target: the function object owning this code holds its defaults.
            for ref in gc.get_referrers(code):
                if isinstance(ref, FunctionType) and ref.__code__ is code:
                    target.defaults = ref.__defaults__ or ()
                    target.kwdefaults = ref.__kwdefaults__ or {}
                    break
        self.codes[code] = target
        return target

    def _record(self, target: _Target, frame: FrameType) -> None:
        if target.is_generator:
            # A generator's 'call' event fires on every resume; count first resumes only.
            if target.entry_lasti is None:
                target.entry_lasti = frame.f_lasti
            if frame.f_lasti != target.entry_lasti:
                return
            target.seen += 1
            target.refuse("generator or coroutine function: calls cannot be replayed")
            return
        target.seen += 1
        if target.stored >= self.max_calls:
            return
        try:
            blob = self._pickle_arguments(frame, target)
        except _TooBig:
            target.refuse(f"arguments larger than {self.max_call_bytes} bytes pickled")
            return
        except _MainReference as exc:
            target.refuse(
                f"argument uses {exc.name!r} defined in __main__ (not importable on replay)"
            )
            return
        except Exception as exc:
            message = str(exc).splitlines()[0][:200] if str(exc) else ""
            target.refuse(f"unpicklable arguments: {type(exc).__name__}: {message}")
            return
        with self.lock:
            if target.stored >= self.max_calls:
                return
            if target.bytes_total + len(blob) > self.max_total_bytes:
                target.refuse(f"over the {self.max_total_bytes} bytes stored per function")
                return
            target.calls.append(blob)
            target.stored += 1
            target.bytes_total += len(blob)
            if target.stored >= self.max_calls:
                self.open -= 1
                if self.open <= 0:
                    self._uninstall()

    def _pickle_arguments(self, frame: FrameType, target: _Target) -> bytes:
        code = frame.f_code
        local = frame.f_locals
        names = code.co_varnames
        npos = code.co_argcount
        nkw = code.co_kwonlyargcount
        args: list[Any] = [local[n] for n in names[:npos]]
        kwargs: dict[str, Any] = {}
        for n in names[npos : npos + nkw]:
            if n not in target.kwdefaults or local[n] is not target.kwdefaults[n]:
                kwargs[n] = local[n]
        index = npos + nkw
        extra: tuple[Any, ...] = ()
        if code.co_flags & inspect.CO_VARARGS:
            extra = tuple(local[names[index]])
            index += 1
        if not extra:
            # Trailing parameters still holding their default object were (as far as
            # replay can tell) not passed: leave them to the function's own defaults.
            first_default = npos - len(target.defaults)
            while len(args) > max(first_default, 0) and (
                args[-1] is target.defaults[len(args) - 1 - first_default]
            ):
                args.pop()
        args.extend(extra)
        if code.co_flags & inspect.CO_VARKEYWORDS:
            kwargs.update(local[names[index]])
        buffer = _BoundedBuffer(self.max_call_bytes)
        _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump((tuple(args), kwargs))
        return buffer.getvalue()

    def install(self) -> None:
        self.active = True
        threading.setprofile(self.hook)
        sys.setprofile(self.hook)

    def _uninstall(self) -> None:
        # Other threads remove their own hook the next time it runs (see `hook`).
        self.active = False
        threading.setprofile(None)
        sys.setprofile(None)

    def finish(self) -> None:
        if self.stopped:
            return
        self.stopped = True
        if self.active:
            self._uninstall()
        if os.getpid() != self.pid:
            return  # a forked child: the parent writes the file
        from eco.capture.store import CaptureSummary, FunctionCapture, write_store

        functions = []
        for t in self.targets:
            reasons = [f"{reason} ({count} calls)" for reason, count in t.reasons.items()]
            if self.note:
                reasons.insert(0, self.note)
            summary = CaptureSummary(
                file=t.file,
                qualname=t.qualname,
                seen=t.seen,
                stored=t.stored,
                uncapturable=t.uncapturable,
                reasons=tuple(reasons),
            )
            functions.append(FunctionCapture(summary, tuple(t.calls)))
        write_store(self.db, functions)


_MISS: Any = object()
_current: _Tracer | None = None


def start(spec_path: str | os.PathLike[str]) -> None:
    """Install the hook for the targets in the JSON spec at ``spec_path``.

    The spec: ``{"db": str, "max_calls": int, "max_call_bytes": int, "max_total_bytes": int,
    "targets": [{"path": abs file, "line": co_firstlineno, "name": co_name,
    "file": repo-relative, "qualname": dotted}]}``. Never raises: a spec that cannot be
    read leaves the workload untraced (and writes nothing).
    """
    global _current
    if _current is not None:
        return
    try:
        spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
        tracer = _Tracer(spec)
    except Exception:
        return
    _current = tracer
    atexit.register(stop)
    if sys.getprofile() is not None:
        tracer.note = "another profiler was active in the workload; nothing was captured"
        return
    if tracer.targets:
        tracer.install()


def stop() -> None:
    """Remove the hook and write the capture file; safe to call more than once."""
    tracer = _current
    if tracer is None:
        return
    with contextlib.suppress(Exception):  # never raise into the workload
        tracer.finish()
