"""Record real calls of hot functions inside the workload process.

`start` installs a profile hook (``sys.setprofile`` here and in threads started later,
via ``threading.setprofile``); `stop` removes it and writes everything it kept to the
capture file (`eco.capture.store`) in one atomic step. `start` also registers `stop` with
``atexit``, so a workload that simply ends still gets its calls written; a process that
leaves through ``os._exit`` (forked workers) writes nothing.

Targets are matched by code object: ``(abs filename, co_firstlineno, co_name)``. On each
``call`` event of a target that is kept, the call's arguments are rebuilt from
``frame.f_locals`` (which at that moment holds only the parameters) and pickled at once,
before the body can mutate them. A method's instance is ``args[0]``.

Which calls are kept: the first ``max_calls // 2`` of each target (cheap and
deterministic: the common case), then a uniform reservoir sample of all its later calls
for the other half. Keeping only the first calls is not enough: rare inputs often appear
late (the account that goes overdrawn after a few hundred transactions, the empty batch
at the end), and a rewrite that differs only there would be replayed on calls that never
show it. The reservoir uses Li's Algorithm L: after it is full, the index of the next
call to take is drawn ahead, so a skipped call costs one counter increment and one
comparison and is never pickled. Each target draws from its own ``random.Random`` seeded
from its name, so two runs of a deterministic workload store the same calls. Stored
calls are written in call order. A kept call that cannot be stored (unpicklable, over
``max_call_bytes``, or one that would push the function past ``max_total_bytes``) is
counted as uncapturable and its slot keeps what it held; a call that does not fit the
bytes left while the head or the reservoir fills closes that part at what it holds.

The tracer must never change what the workload does: every error of its own is swallowed.
The hook stays installed while sampling, so its cost is bounded: calls of other code
cost one dictionary lookup, and once every target has been called ``max_seen`` times
(default ``100 * max_calls``) the hook is removed and the rest of the workload runs at
full speed; the samples then cover only those first calls, and each summary says so.
Known limits: threads already running when `start` is called are not traced; a profiler
installed before `start` (cProfile) is left alone and nothing is captured (each summary
says so); only one `start` per process is honoured; a target that is never called keeps
the hook installed to the end.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import inspect
import io
import json
import math
import os
import pickle
import random
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
    bytes_total: int = 0
    uncapturable: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    #: The first calls, in call order.
    head: list[bytes] = field(default_factory=list)
    #: Number of the first call offered to the reservoir (0: none yet).
    sampled_from: int = 0
    #: The uniform sample of later calls: ``(call number, blob)``, in slot order.
    reservoir: list[tuple[int, bytes]] = field(default_factory=list)
    #: Calls numbered below this are skipped without a look (0 while filling).
    wake: int = 0
    #: Number of the next call the full reservoir takes (Algorithm L).
    pick: int = 0
    #: Algorithm L's running weight.
    weight: float = 1.0
    #: Slots of the head and of the reservoir; shrunk to what is held when the next call
    #: would pass ``max_total_bytes``, so a target near the bound is not pickled on and on.
    head_cap: int = 0
    size: int = 0
    rng: random.Random = field(default_factory=random.Random)

    @property
    def stored(self) -> int:
        return len(self.head) + len(self.reservoir)

    def calls(self) -> list[bytes]:
        """Everything kept, in call order."""
        return self.head + [blob for _, blob in sorted(self.reservoir, key=lambda r: r[0])]

    def weights(self, window_end: int) -> list[float]:
        """How many of the workload's calls each kept call stands for, in `calls` order:
        1 for a head call; for a reservoir call, the calls it was sampled from (those
        numbered ``sampled_from`` to ``window_end``) over the reservoir's size. A timing
        pass weighted so is a fair sample of the workload, not of its first calls."""
        if not self.reservoir:
            return [1.0] * len(self.head)
        population = max(window_end - self.sampled_from + 1, len(self.reservoir))
        return [1.0] * len(self.head) + [population / len(self.reservoir)] * len(self.reservoir)

    def refuse(self, reason: str) -> None:
        self.uncapturable += 1
        if reason in self.reasons or len(self.reasons) < _MAX_REASONS:
            self.reasons[reason] = self.reasons.get(reason, 0) + 1


class _Tracer:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.db = Path(spec["db"])
        self.max_calls = max(int(spec.get("max_calls", 64)), 0)
        self.head_size = self.max_calls // 2
        self.reservoir_size = self.max_calls - self.head_size
        self.max_seen = max(int(spec.get("max_seen", 100 * self.max_calls)), 1)
        #: Set when the hook was removed because every target reached ``max_seen``.
        self.saturated = False
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
            file, qualname = str(t["file"]), str(t["qualname"])
            # A string seed is hashed with SHA-512: the same in every process and run.
            rng = random.Random(f"eco.capture:{file}:{qualname}")
            target = _Target(
                file=file,
                qualname=qualname,
                rng=rng,
                head_cap=self.head_size,
                size=self.reservoir_size,
            )
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
            if target.seen <= self.max_seen:
                target.refuse("generator or coroutine function: calls cannot be replayed")
            if target.seen == self.max_seen:
                self._close()
            return
        target.seen += 1
        if target.seen < target.wake:
            return  # the reservoir skips this call: the common case on a hot target
        n = target.seen
        if n <= self.max_seen:
            self._sample(target, frame, n)
        if n >= self.max_seen:
            target.wake = sys.maxsize
            if n == self.max_seen:
                self._close()

    def _sample(self, target: _Target, frame: FrameType, n: int) -> None:
        """Offer call number ``n`` to the head, then to the reservoir."""
        if len(target.head) < target.head_cap:
            blob = self._capture(target, frame)
            with self.lock:
                if blob is not None and len(target.head) < target.head_cap:
                    if self._fits(target, len(blob)):
                        target.head.append(blob)
                        target.bytes_total += len(blob)
                    else:
                        target.head_cap = len(target.head)
            return
        if target.sampled_from == 0:
            target.sampled_from = n
        if len(target.reservoir) < target.size:
            blob = self._capture(target, frame)
            with self.lock:
                if blob is not None and len(target.reservoir) < target.size:
                    if self._fits(target, len(blob)):
                        target.reservoir.append((n, blob))
                        target.bytes_total += len(blob)
                    else:
                        target.size = len(target.reservoir)
                    if len(target.reservoir) == target.size:
                        self._start_skipping(target, n)
            return
        if target.size <= 0:
            target.wake = self.max_seen  # nothing to sample; wake only to close the window
            return
        if n != target.pick:
            return  # the window ends (max_seen) before the next pick
        # Draw before pickling, so the random sequence never depends on what pickles.
        slot = target.rng.randrange(target.size)
        target.weight *= math.exp(math.log(_unit(target.rng)) / target.size)
        self._advance(target, n)
        blob = self._capture(target, frame)
        if blob is None:
            return
        with self.lock:
            old = len(target.reservoir[slot][1])
            if self._fits(target, len(blob) - old):
                target.reservoir[slot] = (n, blob)
                target.bytes_total += len(blob) - old

    def _start_skipping(self, target: _Target, n: int) -> None:
        """The reservoir is full at call ``n``: from now on draw which calls replace."""
        if target.size <= 0:
            target.wake = self.max_seen
            return
        target.weight = math.exp(math.log(_unit(target.rng)) / target.size)
        self._advance(target, n)

    def _advance(self, target: _Target, n: int) -> None:
        """Draw the number of the next call the full reservoir takes (Algorithm L)."""
        w = target.weight
        skip = math.floor(math.log(_unit(target.rng)) / math.log(1.0 - w)) if w < 1.0 else 0
        target.pick = n + skip + 1
        # Wake up at the window's end even when the next pick lies beyond it.
        target.wake = min(target.pick, self.max_seen)

    def _fits(self, target: _Target, extra: int) -> bool:
        if target.bytes_total + extra > self.max_total_bytes:
            target.refuse(f"over the {self.max_total_bytes} bytes stored per function")
            return False
        return True

    def _capture(self, target: _Target, frame: FrameType) -> bytes | None:
        """The call's pickled arguments, or None (and the reason counted)."""
        try:
            return self._pickle_arguments(frame, target)
        except _TooBig:
            target.refuse(f"arguments larger than {self.max_call_bytes} bytes pickled")
        except _MainReference as exc:
            target.refuse(
                f"argument uses {exc.name!r} defined in __main__ (not importable on replay)"
            )
        except Exception as exc:
            message = str(exc).splitlines()[0][:200] if str(exc) else ""
            target.refuse(f"unpicklable arguments: {type(exc).__name__}: {message}")
        return None

    def _close(self) -> None:
        """One more target has been seen ``max_seen`` times."""
        with self.lock:
            self.open -= 1
            if self.open <= 0 and self.active:
                self.saturated = True
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
            if t.seen >= self.max_seen:
                more = " or more" if self.saturated else ""
                reasons.append(
                    f"calls sampled from the first {self.max_seen} of {t.seen}{more} calls"
                    f" (max_seen: later calls were not watched)"
                )
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
            weights = t.weights(min(t.seen, self.max_seen))
            functions.append(FunctionCapture(summary, tuple(t.calls()), tuple(weights)))
        write_store(self.db, functions)


def _unit(rng: random.Random) -> float:
    """A uniform draw in (0, 1], safe to take the logarithm of."""
    return 1.0 - rng.random()


_MISS: Any = object()
_current: _Tracer | None = None


def start(spec_path: str | os.PathLike[str]) -> None:
    """Install the hook for the targets in the JSON spec at ``spec_path``.

    The spec: ``{"db": str, "max_calls": int, "max_call_bytes": int, "max_total_bytes": int,
    "max_seen": int (optional, default 100 * max_calls),
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
