"""``python -m eco.capture SPEC (script.py | -m module | -c code) [args...]``.

Runs the workload the way ``python`` itself would (same ``sys.argv``, ``sys.path[0]`` and
``__main__``) with the tracer installed, and writes the capture file when it ends.
"""

from __future__ import annotations

import os
import runpy
import sys
import types
from pathlib import Path

from eco.capture import tracer


def main(argv: list[str]) -> None:
    if len(argv) < 2 or (argv[1] in ("-m", "-c") and len(argv) < 3):
        sys.stderr.write(
            "usage: python -m eco.capture SPEC (script.py | -m module | -c code) [args...]\n"
        )
        raise SystemExit(2)
    spec, program = Path(argv[0]), argv[1:]
    tracer.start(spec)
    try:
        if program[0] == "-m":
            sys.argv = [program[1], *program[2:]]
            runpy.run_module(program[1], run_name="__main__", alter_sys=True)
        elif program[0] == "-c":
            sys.argv = ["-c", *program[2:]]
            sys.path[0] = ""
            code = compile(program[1], "<string>", "exec")
            module = types.ModuleType("__main__")
            sys.modules["__main__"] = module
            exec(code, module.__dict__)
        else:
            script = program[0]
            sys.argv = list(program)
            sys.path[0] = os.path.dirname(os.path.abspath(script))
            runpy.run_path(script, run_name="__main__")
    finally:
        tracer.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
