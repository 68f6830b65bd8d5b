"""The process that calls the code under test on captured inputs (run sandboxed).

``python -P -m eco.verify.replay_worker --project DIR --module NAME --import-root DIR
--qualname Q --calls FILE --out FILE`` writes ``{"ok": bool, "error": str, "results":
[...]}`` to ``--out``: one canonical outcome per call (`eco.verify.compare.canonicalize`),
``{"returned": form | null, "raised": {"type", "message"} | null, "args": form,
"kwargs": form, "seconds": float | null}``, the arguments as they are *after* the call
(mutation is behaviour); ``seconds`` (one call's wall time) sizes the benchmark's passes.

After the captured calls come *derived* calls (``"derived": "call 3, argument 1 cut to 0
items"``): captured calls with one sequence or mapping argument cut to its first item or
to nothing (a list also to its first item and ``None``). Real workloads rarely pass the
edge cases where a rewrite most often changes behaviour (an empty list joined with a
trailing separator, a loop that never runs); the derivation is deterministic, so both
sides replay the same derived calls, and each gets `DERIVED_CALL_TIMEOUT_S` before it
counts as raised.

`load_target` and `load_calls` are shared with the benchmark worker, so both time and
check exactly the same callable.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import json
import os
import pickle
import random
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from eco.verify.compare import canonicalize

__all__ = ["DERIVED_CALL_TIMEOUT_S", "MAX_DERIVED_CALLS", "ReplaySetupError", "derive_calls", "load_calls",
           "load_target", "main", "reset_state"]

#: At most this many derived calls per replay.
MAX_DERIVED_CALLS = 24
#: A derived call running longer than this is stopped and counts as raised (on the
#: baseline: not compared; on the candidate: a mismatch where the baseline returned).
DERIVED_CALL_TIMEOUT_S = 5.0
#: Argument types that are cut (exact types: a subclass may give slicing other meaning).
_CUTTABLE = (list, tuple, str, bytes, dict)


class ReplaySetupError(Exception):
    """The target cannot be imported or resolved, or the captured calls cannot be loaded."""


def load_target(
    project: Path, module_name: str, import_root: Path, qualname: str
) -> Callable[..., Any]:
    """Import ``module_name`` from ``project`` and resolve ``qualname`` to the callable
    the captured arguments fit.

    The import root goes first on ``sys.path`` (then the project root) so the project's
    copy wins over any installed one; the imported file is checked to be inside
    ``project``. ``Class.method`` is looked up in the class ``__dict__``: a plain function
    is called with the instance as ``args[0]`` (as the tracer captured it), a
    staticmethod's or classmethod's ``__func__`` and a property's ``fget`` likewise.
    Module functions are taken from the module attribute, so a decorator such as
    ``lru_cache`` stays in the call path.
    """
    project = project.resolve()
    for entry in reversed([str(import_root.resolve()), str(project)]):
        if entry in sys.path:
            sys.path.remove(entry)
        sys.path.insert(0, entry)
    try:
        module = importlib.import_module(module_name)
    except BaseException as exc:
        raise ReplaySetupError(f"cannot import {module_name}: {type(exc).__name__}: {exc}") from exc
    where = getattr(module, "__file__", None)
    if not where or not Path(where).resolve().is_relative_to(project):
        raise ReplaySetupError(
            f"{module_name} was imported from {where}, not from {project}: an installed copy "
            "shadowed it"
        )
    if "<locals>" in qualname.split("."):
        raise ReplaySetupError(f"{qualname} is a nested function and cannot be called directly")
    owner: Any = module
    parts = qualname.split(".")
    for part in parts[:-1]:
        try:
            owner = getattr(owner, part)
        except AttributeError as exc:
            raise ReplaySetupError(f"{module_name} has no {qualname}") from exc
    name = parts[-1]
    if isinstance(owner, type):
        if name not in owner.__dict__:
            raise ReplaySetupError(f"class {owner.__qualname__} does not define {name}")
        raw = owner.__dict__[name]
        if isinstance(raw, staticmethod | classmethod):
            raw = raw.__func__
        elif isinstance(raw, property):
            raw = raw.fget
        elif hasattr(raw, "func") and type(raw).__name__ == "cached_property":
            raw = raw.func
    else:
        raw = getattr(owner, name, None)
    if not callable(raw):
        raise ReplaySetupError(f"{module_name}.{qualname} is not a function")
    return raw  # type: ignore[no-any-return]


def load_calls(path: Path) -> list[bytes]:
    """The pickled calls the parent wrote: a pickle of a list of blobs."""
    blobs = pickle.loads(path.read_bytes())
    if not isinstance(blobs, list) or not all(isinstance(b, bytes) for b in blobs):
        raise ReplaySetupError(f"{path}: not a list of captured calls")
    return blobs


def unpickle_call(blob: bytes, index: int) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """One call's ``(args, kwargs)``, fresh (so earlier calls' mutations cannot leak)."""
    try:
        args, kwargs = pickle.loads(blob)
    except Exception as exc:
        raise ReplaySetupError(
            f"call {index + 1}: cannot load the captured arguments: {type(exc).__name__}: {exc}"
        ) from exc
    return tuple(args), dict(kwargs)


def reset_state(target: Callable[..., Any]) -> None:
    """What runs before every call: caches cleared, random generators seeded."""
    clear = getattr(target, "cache_clear", None)
    if callable(clear):
        clear()
    random.seed(0)
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        numpy.random.seed(0)


def _check_binding(
    target: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any], index: int
) -> None:
    try:
        signature = inspect.signature(target)
    except (TypeError, ValueError):
        return  # some builtins have none; the call itself will say
    try:
        signature.bind(*args, **kwargs)
    except TypeError as exc:
        # A harness problem, not behaviour: both sides "raising TypeError" must not count
        # as equal.
        raise ReplaySetupError(
            f"call {index + 1}: captured arguments do not fit {signature}: {exc}"
        ) from exc


def _cut(value: Any, size: int) -> Any:
    if type(value) is dict:
        return dict(list(value.items())[:size])
    return value[:size]


def derive_calls(blobs: list[bytes], skip_first: bool, limit: int = MAX_DERIVED_CALLS) -> list[tuple[str, bytes]]:
    """Captured calls with one list, tuple, str, bytes or dict argument (of two or more
    items) cut to one item and to none, and a list also cut to its first item followed by
    ``None`` (an item that makes most loops raise after they have started: what the code
    did to its arguments before the exception is behaviour too):
    ``[(what, pickled (args, kwargs))]``, in a fixed order, without duplicates.
    ``skip_first`` leaves a method's instance (``args[0]``) alone.
    """
    derived: list[tuple[str, bytes]] = []
    seen: set[bytes] = set()
    for index, blob in enumerate(blobs):
        try:
            args, kwargs = pickle.loads(blob)
        except Exception:
            continue
        slots: list[tuple[str, int | str]] = [(f"argument {i}", i) for i in range(len(args))]
        slots += [(f"argument {name!r}", name) for name in kwargs]
        for label, key in slots:
            if key == 0 and skip_first:
                continue
            value = args[key] if isinstance(key, int) else kwargs[key]
            if type(value) not in _CUTTABLE or len(value) < 2:
                continue
            variants = [(f"cut to {size} item{'s' if size != 1 else ''}", _cut(value, size)) for size in (0, 1)]
            if type(value) is list:
                variants.append(("cut to its first item and None", [value[0], None]))
            for how, new_value in variants:
                new_args, new_kwargs = list(args), dict(kwargs)
                if isinstance(key, int):
                    new_args[key] = new_value
                else:
                    new_kwargs[key] = new_value
                try:
                    data = pickle.dumps((tuple(new_args), new_kwargs), protocol=pickle.HIGHEST_PROTOCOL)
                except Exception:
                    continue
                if data in seen:
                    continue
                seen.add(data)
                derived.append((f"call {index + 1}, {label} {how}", data))
                if len(derived) >= limit:
                    return derived
    return derived


class _DerivedCallTimeout(Exception):
    pass


def _on_alarm(signum: int, frame: Any) -> None:
    raise _DerivedCallTimeout(f"a derived call ran longer than {DERIVED_CALL_TIMEOUT_S:g}s")


def _call(target: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any],
          timeout: float | None = None) -> dict[str, Any]:
    reset_state(target)
    returned: Any = None
    raised: dict[str, str] | None = None
    seconds: float | None = None
    timer = timeout is not None and hasattr(signal, "setitimer")
    if timer:
        previous = signal.signal(signal.SIGALRM, _on_alarm)
        signal.setitimer(signal.ITIMER_REAL, timeout or 0.0)
    started = time.perf_counter()
    try:
        value = target(*args, **kwargs)
    except BaseException as exc:  # SystemExit and KeyboardInterrupt are behaviour too
        raised = {
            "type": f"{type(exc).__module__}.{type(exc).__qualname__}",
            "message": _message(exc),
        }
    else:
        seconds = time.perf_counter() - started
        returned = canonicalize(value)
    finally:
        if timer:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
    return {
        "returned": returned,
        "raised": raised,
        "args": canonicalize(args),
        "kwargs": canonicalize(kwargs),
        # The call's wall time when it returned: what sizes the benchmark's passes, never
        # compared.
        "seconds": seconds,
    }


def _replay(target: Callable[..., Any], blobs: list[bytes], skip_first: bool = False) -> list[dict[str, Any]]:
    results = []
    for index, blob in enumerate(blobs):
        args, kwargs = unpickle_call(blob, index)
        _check_binding(target, args, kwargs, index)
        results.append(_call(target, args, kwargs))
    for what, blob in derive_calls(blobs, skip_first):
        args, kwargs = pickle.loads(blob)
        result = _call(target, tuple(args), dict(kwargs), DERIVED_CALL_TIMEOUT_S)
        result["derived"] = what
        results.append(result)
    return results


def _message(exc: BaseException) -> str:
    try:
        return str(exc)[:2000]
    except Exception as err:
        return f"<str() failed: {type(err).__name__}>"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="eco.verify.replay_worker")
    for flag in ("--project", "--module", "--import-root", "--qualname", "--calls", "--out"):
        parser.add_argument(flag, required=True)
    opts = parser.parse_args(argv)
    out = Path(opts.out)
    try:
        target = load_target(Path(opts.project), opts.module, Path(opts.import_root), opts.qualname)
        blobs = load_calls(Path(opts.calls))
        # A method's (or classmethod's) args[0] is its instance or class: never cut.
        document: dict[str, Any] = {"ok": True, "error": "", "results": _replay(target, blobs, "." in opts.qualname)}
    except ReplaySetupError as exc:
        document = {"ok": False, "error": str(exc), "results": []}
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(json.dumps(document, allow_nan=False), encoding="utf-8")
    os.replace(tmp, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
