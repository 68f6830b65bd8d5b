"""Runs a Python workload in this process under cProfile or the call-capturing tracer.

Invoked by eco as ``python -m eco.profile.launch [--cprofile OUT | --pyinstrument OUT]
[--capture SPEC] -- (SCRIPT | -m MODULE | -c CODE) ARGS...``. It exists so that eco never has to trust a
shell: the workload is run the way ``python`` itself would run it (``sys.argv``,
``sys.path[0]``, ``__main__``), and the profile is written even when the workload calls
``sys.exit``. The exit status is the workload's.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import runpy
import sys
from collections.abc import Callable
from typing import Any


def _target(argv: list[str]) -> tuple[Callable[[], object], list[str], str]:
    if not argv:
        raise SystemExit("eco.profile.launch: nothing to run")
    if argv[0] == "-m":
        if len(argv) < 2:
            raise SystemExit("eco.profile.launch: -m needs a module name")
        module = argv[1]
        return (lambda: runpy.run_module(module, run_name="__main__", alter_sys=True)), [module, *argv[2:]], os.getcwd()
    if argv[0] == "-c":
        code = argv[1] if len(argv) > 1 else ""
        return (lambda: exec(compile(code, "<string>", "exec"), {"__name__": "__main__"})), ["-c", *argv[2:]], os.getcwd()
    script = os.path.abspath(argv[0])
    return (lambda: runpy.run_path(script, run_name="__main__")), [script, *argv[1:]], os.path.dirname(script)


def main(args: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="eco.profile.launch")
    parser.add_argument("--cprofile", help="write a pstats file here")
    parser.add_argument("--pyinstrument", help="write a pyinstrument session file here")
    parser.add_argument("--capture", help="capture calls as described by this JSON spec")
    parser.add_argument("workload", nargs=argparse.REMAINDER)
    ns = parser.parse_args(args)
    workload = ns.workload[1:] if ns.workload[:1] == ["--"] else ns.workload
    run, argv, path0 = _target(workload)
    sys.argv = argv
    sys.path[0] = path0

    profiler = cProfile.Profile() if ns.cprofile else None
    sampler = _pyinstrument() if ns.pyinstrument else None
    if ns.capture:
        from eco.capture import tracer

        tracer.start(ns.capture)
    status = 0
    try:
        if profiler is not None:
            profiler.enable()
        if sampler is not None:
            sampler.start()
        try:
            run()
        finally:
            if profiler is not None:
                profiler.disable()
            if sampler is not None:
                sampler.stop()
    except SystemExit as exc:
        code = exc.code
        status = code if isinstance(code, int) else (0 if code is None else 1)
        if not isinstance(code, int | None):
            print(code, file=sys.stderr)
    finally:
        if ns.capture:
            from eco.capture import tracer

            tracer.stop()
        if profiler is not None:
            profiler.dump_stats(ns.cprofile)
        if sampler is not None and sampler.last_session is not None:
            sampler.last_session.save(ns.pyinstrument)
    return status


def _pyinstrument() -> Any:
    """A pyinstrument sampler at 1 ms, the finest interval it recommends."""
    from pyinstrument import Profiler

    return Profiler(interval=0.001)


if __name__ == "__main__":
    sys.exit(main())
