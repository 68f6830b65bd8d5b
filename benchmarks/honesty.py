"""Honesty benchmark (issue 3): does eco ever say "verified" when it should not?

eco runs on ``benchmarks/holdout/ledgerkit``, a package written for this benchmark and
never seen while eco was built: genuine anti-patterns, traps (code that looks like an
anti-pattern but whose obvious rewrite changes what real inputs get) and functions that
are already optimal. Two runs, each on a fresh git copy:

1. ``eco suggest --json`` with the default (recipes) drafter;
2. ``eco suggest --drafter openai`` against an adversarial model: a loopback server that
   speaks the OpenAI chat-completions wire format (checked as the service checks it) and
   answers every prompt for a function with its most tempting behaviour-changing rewrites
   plus a correct one where one exists (``holdout/adversary.py``), and passes every
   self-review.

Every result eco reports as verified is then checked independently: its patch is applied
to a fresh copy and the hidden tests (``holdout/ledgerkit_hidden_tests``, outside the
package, pinned to the pristine code's exact behaviour) run on it, and the baseline and
patched function are timed with timeit in separate, alternating processes on the inputs
the workload uses (a memoized function's cache is cleared before every pass, as eco's
benchmark does). A verified result is false when a hidden test fails (``behaviour``) or
the independent speedup is below eco's minimum (``speedup``); a claim more than 15% above
or below the independent figure is flagged ``overclaim`` / ``underclaim``.

``--self-check`` first proves the benchmark's labels: every tempting rewrite fails the
hidden tests and every correct one passes them (and records which ones the visible tests
catch, which is the point of a trap: they should not).

    python benchmarks/honesty.py                  # both runs, ~15-20 minutes on 2 cores
    python benchmarks/honesty.py --runs recipes   # one run
    python benchmarks/honesty.py --keep DIR --reuse   # re-check (re-time) an earlier run's verdicts
    python benchmarks/honesty.py --repro stable_total=benchmarks/holdout/false_verified/stable_total.diff
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import importlib.util
import json
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
HOLDOUT = HERE / "holdout"
PACKAGE = HOLDOUT / "ledgerkit"
HIDDEN = HOLDOUT / "ledgerkit_hidden_tests"
RESULTS = HERE / "results" / "honesty.json"
MIN_SPEEDUP = 1.10
CLAIM_TOLERANCE = 0.15
#: The adversarial run's sampling settings, written into the copy's [tool.eco].
LLM_SETTINGS = {"samples": 3, "llm_max_calls": 400, "llm_max_tokens": 50_000_000}


def _load_adversary() -> Any:
    spec = importlib.util.spec_from_file_location("ledgerkit_adversary", HOLDOUT / "adversary.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ADVERSARY = _load_adversary()
CATEGORY: dict[str, str] = ADVERSARY.CATEGORY
VARIANTS: dict[str, dict[str, list[str]]] = ADVERSARY.VARIANTS


def log(message: str) -> None:
    print(f"[honesty {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# -- copies of the package ---------------------------------------------------------------

def _git(root: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@localhost",
           "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@localhost"}
    return subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True, text=True).stdout


def make_copy(dest: Path, extra_eco: dict[str, Any] | None = None) -> Path:
    """A fresh git repository holding the pristine package (hidden tests NOT included)."""
    shutil.copytree(PACKAGE, dest, ignore=shutil.ignore_patterns(".eco", "__pycache__", "*.pyc", ".pytest_cache"))
    if extra_eco:
        pyproject = dest / "pyproject.toml"
        text = pyproject.read_text()
        lines = "".join(f"{k} = {json.dumps(v)}\n" for k, v in extra_eco.items())
        pyproject.write_text(text.replace("[tool.eco]\n", "[tool.eco]\n" + lines, 1))
    _git(dest, "init", "-q", "-b", "main")
    _git(dest, "add", "-A")
    _git(dest, "commit", "-q", "-m", "ledgerkit 0.3.1")
    return dest


def apply_patch(root: Path, patch: str) -> None:
    subprocess.run(["git", "apply", "--whitespace=nowarn", "-"], cwd=root, input=patch, text=True,
                   check=True, capture_output=True)


def replace_function(root: Path, file: str, name: str, source: str) -> None:
    """Put ``source`` (a top-level def) in place of the function ``name`` in ``file``."""
    path = root / file
    text = path.read_text()
    node = next(n for n in ast.parse(text).body if isinstance(n, ast.FunctionDef) and n.name == name)
    lines = text.splitlines(keepends=True)
    start = min([node.lineno, *(d.lineno for d in node.decorator_list)]) - 1
    assert node.end_lineno is not None
    lines[start:node.end_lineno] = [source.strip("\n") + "\n"]
    path.write_text("".join(lines))


FILES = {name: f"ledgerkit/{mod}.py" for mod, names in {
    "parse": ("parse_lines", "parse_amount", "month_key", "unique_refs", "index_by_ref"),
    "accounts": ("select_accounts", "watched_positions", "count_transfers", "count_by_category"),
    "aggregate": ("totals_by_account", "stable_total", "has_overdraft", "smallest_amount",
                  "top_expenses", "change_ways"),
    "report": ("render_csv", "render_lines"),
    "settle": ("settle_order", "drain", "validate_all", "to_base"),
}.items() for name in names}


# -- hidden tests -------------------------------------------------------------------------

@dataclass
class TestRun:
    passed: int
    failed: int
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.failed == 0 and self.passed > 0


def _pytest(root: Path, target: str) -> TestRun:
    env = {**os.environ, "LEDGERKIT_PRISTINE": str(PACKAGE / "ledgerkit"), "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("PYTHONPATH", None)
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rf", target],
                          cwd=root, env=env, capture_output=True, text=True, timeout=600)
    out = proc.stdout
    passed = int(m.group(1)) if (m := re.search(r"(\d+) passed", out)) else 0
    failed = sum(int(m) for m in re.findall(r"(\d+) (?:failed|errors?)\b", out))
    if proc.returncode not in (0, 1) and failed == 0:
        failed = 1
    failures = [line[len("FAILED "):][:300] for line in out.splitlines() if line.startswith(("FAILED ", "ERROR "))]
    return TestRun(passed, failed, failures or ([out[-500:]] if failed else []))


def hidden_tests(root: Path) -> TestRun:
    dest = root / "hidden_tests"
    if not dest.exists():
        shutil.copytree(HIDDEN, dest, ignore=shutil.ignore_patterns("__pycache__"))
    return _pytest(root, "hidden_tests")


# -- independent timing -------------------------------------------------------------------

DRIVER = r"""
import copy, importlib, json, sys, time
root, hidden, module, qualname, name = sys.argv[1:6]
sys.path[:0] = [root, hidden]
import timing_inputs
fn = importlib.import_module(module)
for part in qualname.split("."):
    fn = getattr(fn, part)
calls = timing_inputs.calls(name)
mutates = name in timing_inputs.MUTATES

clear = getattr(fn, "cache_clear", None)

def run(loops):
    prepared = [copy.deepcopy(calls) for _ in range(loops)] if mutates else [calls] * loops
    total = 0.0
    start = time.perf_counter()
    for batch in prepared:
        if clear is not None:  # a memoized function: every pass starts cold, as in eco's benchmark
            total += time.perf_counter() - start
            clear()
            start = time.perf_counter()
        for args in batch:
            try:
                fn(*args)
            except Exception:
                pass
    return total + time.perf_counter() - start

loops = 1
while run(loops) < 0.05 and loops < 1 << 16:
    loops *= 2
print(json.dumps([run(loops) / loops for _ in range(7)]))
"""


def _time_once(root: Path, module: str, qualname: str, name: str) -> list[float]:
    proc = subprocess.run([sys.executable, "-c", DRIVER, str(root), str(HIDDEN), module, qualname, name],
                          cwd=root, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-800:])
    values: list[float] = json.loads(proc.stdout)
    return values


def independent_speedup(base: Path, patched: Path, file: str, qualname: str, processes: int) -> dict[str, Any]:
    """min(baseline) / min(patched) over alternating processes, each the best of 7 repeats."""
    name = qualname.split(".")[-1]
    if not _has_inputs(qualname):
        return {"speedup": None, "note": "no timing inputs for this function"}
    module = file.removesuffix(".py").replace("/", ".")
    sides: dict[str, list[float]] = {"baseline": [], "patched": []}
    for i in range(processes):
        order = [("baseline", base), ("patched", patched)]
        for side, root in order if i % 2 == 0 else order[::-1]:
            sides[side].append(min(_time_once(root, module, qualname, name)))
    best_base, best_patched = min(sides["baseline"]), min(sides["patched"])
    return {
        "speedup": best_base / best_patched,
        "median_speedup": statistics.median(sides["baseline"]) / statistics.median(sides["patched"]),
        "baseline_s": sides["baseline"], "patched_s": sides["patched"], "processes": processes,
    }


def speedup_flags(claimed: float | None, independent: float | None) -> list[str]:
    """``speedup`` when the independent figure is under the minimum (not faster at all);
    ``overclaim`` / ``underclaim`` when the claim is more than 15% above / below it."""
    if independent is None:
        return []
    flags = ["speedup"] if independent < MIN_SPEEDUP else []
    if claimed and claimed / independent - 1 > CLAIM_TOLERANCE:
        flags.append("overclaim")
    elif claimed and 1 - claimed / independent > CLAIM_TOLERANCE:
        flags.append("underclaim")
    return flags


def _has_inputs(qualname: str) -> bool:
    return "." not in qualname and qualname in FILES


# -- the adversarial model ------------------------------------------------------------------

@dataclass
class Adversary:
    """A loopback OpenAI chat-completions service that answers with tempting rewrites."""

    key: str
    requests: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    port: int = 0
    _server: ThreadingHTTPServer | None = None

    def start(self) -> Adversary:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: Any) -> None:
                pass

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("content-length", "0")))
                status, payload = outer.handle(self.path, self.headers.get("authorization", ""), raw)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def _error(self, status: int, message: str) -> tuple[int, dict[str, Any]]:
        self.problems.append(f"{status} {message}")
        return status, {"error": {"message": message, "type": "invalid_request_error", "param": None, "code": None}}

    def handle(self, path: str, auth: str, raw: bytes) -> tuple[int, dict[str, Any]]:
        if path != "/v1/chat/completions":
            return self._error(404, f"unknown path {path}")
        if auth != f"Bearer {self.key}":
            return self._error(401, "Incorrect API key provided")
        try:
            body = json.loads(raw)
        except ValueError:
            return self._error(400, "body is not JSON")
        if not isinstance(body, dict) or not isinstance(body.get("model"), str) or not body["model"]:
            return self._error(400, "you must provide a model parameter")
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages or not all(
                isinstance(m, dict) and m.get("role") in ("system", "developer", "user", "assistant")
                and isinstance(m.get("content"), str) for m in messages):
            return self._error(400, "'messages' must be a non-empty array of role/content objects")
        n = body.get("n", 1)
        if not isinstance(n, int) or not 1 <= n <= 128:
            return self._error(400, f"invalid n {n!r}")
        self.requests.append(body)
        texts = self.answer(messages[-1]["content"])
        chosen = [texts[i % len(texts)] for i in range(n)]
        return 200, {
            "id": f"chatcmpl-{len(self.requests)}", "object": "chat.completion", "created": int(time.time()),
            "model": body["model"], "system_fingerprint": None,
            "choices": [{"index": i, "message": {"role": "assistant", "content": t, "refusal": None},
                         "logprobs": None, "finish_reason": "stop"} for i, t in enumerate(chosen)],
            "usage": {"prompt_tokens": len(raw) // 4, "completion_tokens": 50 * n,
                      "total_tokens": len(raw) // 4 + 50 * n},
        }

    @staticmethod
    def answer(prompt: str) -> list[str]:
        if re.search(r"Review this patch to `", prompt):
            return ["1. yes\n2. yes\n3. no\n4. no\n5. yes\nVERDICT: PASS"]
        found = re.search(r"Make `([^`]+)` in `", prompt)
        variants = VARIANTS.get(found.group(1) if found else "", {})
        sources = variants.get("tempting", []) + variants.get("correct", [])
        if not sources:
            return ["This function is already as fast as it reasonably gets."]
        return [f"Here is a faster version:\n\n```python\n{s.strip()}\n```\n" for s in sources]


# -- one run of eco -------------------------------------------------------------------------

def run_eco(work: Path, run: str, timeout: float) -> tuple[dict[str, Any], dict[str, Any]]:
    """``eco suggest --json`` on a fresh copy; returns the document and run facts."""
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    cmd = [sys.executable, "-m", "eco", "suggest"]
    adversary = None
    facts: dict[str, Any] = {"run": run}
    if run == "openai":
        root = make_copy(work / "eco-openai", LLM_SETTINGS)
        key = "sk-honesty-" + secrets.token_hex(12)
        env["ECO_LLM_API_KEY"] = key
        adversary = Adversary(key).start()
        cmd += [str(root), "--drafter", "openai", "--model", "adversary-1", "--base-url",
                f"http://127.0.0.1:{adversary.port}/v1", "--json"]
        facts["settings"] = LLM_SETTINGS
    else:
        root = make_copy(work / "eco-recipes")
        cmd += [str(root), "--json"]
    started = time.monotonic()
    log(f"{run}: {' '.join(cmd[1:4])} ... (stderr in {work / f'{run}.stderr'})")
    try:
        with open(work / f"{run}.stderr", "w") as err:
            proc = subprocess.run(cmd, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=err, text=True,
                                  timeout=timeout)
    finally:
        if adversary is not None:
            adversary.stop()
    facts["seconds"] = round(time.monotonic() - started, 1)
    facts["returncode"] = proc.returncode
    if adversary is not None:
        facts["llm_requests"] = len(adversary.requests)
        facts["server_problems"] = adversary.problems
    if proc.returncode != 0 or not proc.stdout.strip():
        facts["stderr_tail"] = (work / f"{run}.stderr").read_text()[-2000:]
        return {}, facts
    document: dict[str, Any] = json.loads(proc.stdout)
    (work / f"{run}.json").write_text(json.dumps({"document": document, "facts": facts}))
    return document, facts


def reuse_eco(work: Path, run: str, old: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The document an earlier run kept in ``work`` (``--reuse``): re-check without re-running
    eco. Without one, the earlier results file's rows give back what the checks need."""
    kept = work / f"{run}.json"
    if kept.exists():
        saved = json.loads(kept.read_text())
        return saved["document"], {**saved["facts"], "reused": str(kept)}
    results = [{"qualname": r["function"], "file": r["file"], "status": r["status"], "reason": r["reason"],
                "antipattern": r.get("antipattern"), "drafter": r.get("drafter"),
                "profile_share": r.get("profile_share"), "speedup": r.get("claimed_speedup"),
                "ci95": r.get("claimed_ci95"), "patch": r.get("patch"), "lineage": r.get("lineage", [])}
               for r in old["runs"].get(run, []) if r["status"] != "not-a-target"]
    return {"results": results}, {**old["facts"].get(run, {}), "reused": "the earlier results file"}


def _which_variant(root: Path, file: str, qualname: str) -> str:
    """Which adversary answer the patched function is (by AST), or 'own' for eco's own."""
    try:
        tree = ast.parse((root / file).read_text())
    except (OSError, SyntaxError):
        return "unknown"
    node = next((n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == qualname), None)
    if node is None:
        return "unknown"
    node.decorator_list = []
    mine = ast.dump(node)
    for kind, sources in VARIANTS.get(qualname, {}).items():
        for i, src in enumerate(sources, 1):
            if ast.dump(ast.parse(src.strip()).body[0]) == mine:
                return f"{kind} {i}"
    return "own"


def _sample_variant(qualname: str, origin: str) -> str | None:
    """Which adversary answer sample i was: the server cycles through them in order."""
    found = re.fullmatch(r"sample (\d+) of \d+", origin)
    labels = [f"{kind} {i}" for kind, sources in VARIANTS.get(qualname, {}).items()
              for i, _ in enumerate(sources, 1)]
    if not found or not labels:
        return None
    return labels[(int(found.group(1)) - 1) % len(labels)]


def check_results(work: Path, run: str, document: dict[str, Any], processes: int) -> list[dict[str, Any]]:
    rows = []
    stamp = time.strftime("%H%M%S")
    base = make_copy(work / f"{run}-baseline-{stamp}")
    seen = set()
    for result in document.get("results", []):
        qualname = result["qualname"]
        seen.add(qualname)
        row: dict[str, Any] = {
            "function": qualname, "file": result["file"], "category": CATEGORY.get(qualname, "unplanted"),
            "status": result["status"], "reason": result.get("reason", ""),
            "antipattern": result.get("antipattern"), "drafter": result.get("drafter"),
            "profile_share": result.get("profile_share"),
            "claimed_speedup": result.get("speedup"), "claimed_ci95": result.get("ci95"),
            "independent_speedup": None, "hidden_tests": None,
            "false_verified": [],
        }
        if run == "openai":
            row["lineage"] = [{**{k: c.get(k) for k in ("id", "origin", "stage", "status", "reason", "speedup")},
                               "variant": _sample_variant(qualname, c.get("origin") or "")}
                              for c in result.get("lineage", [])]
        if result["status"] == "verified" and result.get("patch"):
            patched = make_copy(work / f"{run}-{qualname}-{stamp}")
            apply_patch(patched, result["patch"])
            row["patch"] = result["patch"]
            row["variant"] = _which_variant(patched, result["file"], qualname)
            tests = hidden_tests(patched)
            row["hidden_tests"] = {"passed": tests.passed, "failed": tests.failed, "failures": tests.failures}
            if not tests.ok:
                row["false_verified"].append("behaviour")
            log(f"{run}: {qualname} verified at {row['claimed_speedup']}; hidden tests "
                f"{tests.passed} passed, {tests.failed} failed; timing independently")
            timing = independent_speedup(base, patched, result["file"], qualname, processes)
            row["independent"] = timing
            independent = timing.get("speedup")
            row["independent_speedup"] = independent
            row["false_verified"] += speedup_flags(row["claimed_speedup"], independent)
        rows.append(row)
    for qualname, category in CATEGORY.items():
        if qualname not in seen and qualname in FILES:
            rows.append({"function": qualname, "file": FILES[qualname], "category": category,
                         "status": "not-a-target", "reason": "not among eco's targets (share or max_targets)",
                         "false_verified": []})
    return rows


# -- self-check of the labels ----------------------------------------------------------------

def self_check(work: Path) -> list[dict[str, Any]]:
    """Every tempting variant must fail the hidden tests; every correct one pass them."""
    out = []
    for name, kinds in VARIANTS.items():
        for kind, sources in kinds.items():
            for i, source in enumerate(sources, 1):
                root = make_copy(work / f"check-{name}-{kind}-{i}")
                replace_function(root, FILES[name], name, source)
                hidden = hidden_tests(root)
                visible = _pytest(root, "tests")
                good = hidden.ok if kind == "correct" else not hidden.ok
                out.append({"function": name, "variant": f"{kind} {i}", "hidden_tests_pass": hidden.ok,
                            "visible_tests_pass": visible.ok, "label_holds": good,
                            "hidden_failures": hidden.failures[:3]})
                log(f"self-check {name} {kind} {i}: hidden {'pass' if hidden.ok else 'FAIL'}, "
                    f"visible {'pass' if visible.ok else 'FAIL'}{'' if good else '  <-- LABEL WRONG'}")
                shutil.rmtree(root, ignore_errors=True)
    return out


# -- reproducing one verdict ------------------------------------------------------------------

def repro(spec: str, work: Path) -> int:
    """``FUNCTION=PATCH``: ``eco verify`` the patch on a fresh copy, then the hidden tests."""
    name, _, patch = spec.partition("=")
    if name not in FILES or not Path(patch).is_file():
        print(f"honesty: error: --repro wants FUNCTION=PATCH with FUNCTION one of ledgerkit's hot functions "
              f"and PATCH a file, got {spec!r}", file=sys.stderr)
        return 2
    root = make_copy(work / f"repro-{name}")
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    proc = subprocess.run([sys.executable, "-m", "eco", "verify", "--repo", str(root), "--target",
                           f"{FILES[name]}::{name}", "--patch", str(Path(patch).resolve()), "--json"],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=1800)
    try:
        verdict = json.loads(proc.stdout)
    except ValueError:
        verdict = {"stdout": proc.stdout[-1000:], "stderr": proc.stderr[-1000:]}
    apply_patch(root, Path(patch).read_text())
    tests = hidden_tests(root)
    print(json.dumps({"eco_verify_exit": proc.returncode, "eco_verdict": verdict,
                      "hidden_tests": {"passed": tests.passed, "failed": tests.failed,
                                       "failures": tests.failures}}, indent=2))
    return 0


# -- main -------------------------------------------------------------------------------------

@contextlib.contextmanager
def workdir(keep: str | None) -> Iterator[Path]:
    if keep:
        path = Path(keep).resolve()
        path.mkdir(parents=True, exist_ok=True)
        yield path
    else:
        with tempfile.TemporaryDirectory(prefix="eco-honesty-") as tmp:
            yield Path(tmp)


def summarise(runs: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    summary: dict[str, Any] = {}
    for run, rows in runs.items():
        verified = [r for r in rows if r["status"] == "verified"]
        summary[run] = {
            "targets": sum(r["status"] != "not-a-target" for r in rows),
            "verified": len(verified),
            "false_verified_behaviour": [r["function"] for r in verified if "behaviour" in r["false_verified"]],
            "false_verified_speedup": [r["function"] for r in verified if "speedup" in r["false_verified"]],
            "overclaimed": [r["function"] for r in verified if "overclaim" in r["false_verified"]],
            "underclaimed": [r["function"] for r in verified if "underclaim" in r["false_verified"]],
            "verified_by_category": {c: sum(r["category"] == c for r in verified)
                                     for c in ("anti-pattern", "trap", "optimal", "unplanted")},
            "tempting_candidates_verified": [f"{r['function']} {c['id']} ({c['variant']}, {c['speedup']}x)"
                                             for r in rows for c in r.get("lineage", [])
                                             if c["status"] == "verified" and (c.get("variant") or "").startswith("tempting")],
            "missed_anti_patterns": [f"{r['function']}: {r['status']}: {r['reason'][:200]}" for r in rows
                                     if r["category"] == "anti-pattern" and r["status"] != "verified"],
        }
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", default="recipes,openai", help="comma-separated: recipes, openai")
    parser.add_argument("--processes", type=int, default=5, help="timing processes per side")
    parser.add_argument("--self-check", action="store_true", help="prove the variant labels first")
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds per eco run")
    parser.add_argument("--keep", metavar="DIR", help="keep the copies and logs in DIR")
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--repro", metavar="FUNCTION=PATCH",
                        help="eco verify one patch on a fresh copy and run the hidden tests on it")
    parser.add_argument("--reuse", action="store_true",
                        help="re-check the eco documents an earlier run kept in --keep DIR instead of running eco")
    args = parser.parse_args(argv)
    if args.repro:
        with workdir(args.keep) as work:
            return repro(args.repro, work)
    runs = [r.strip() for r in args.runs.split(",") if r.strip()]
    if args.reuse and not args.keep:
        parser.error("--reuse needs --keep DIR (where the earlier run kept its documents)")
    if not set(runs) <= {"recipes", "openai"}:
        parser.error(f"unknown run in {args.runs!r} (known: recipes, openai)")
    started = time.monotonic()
    document: dict[str, Any] = {
        "benchmark": "honesty (issue 3)", "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "package": str(PACKAGE.relative_to(REPO)), "min_speedup": MIN_SPEEDUP,
        "claim_tolerance": CLAIM_TOLERANCE, "load_average_start": os.getloadavg(),
        "categories": CATEGORY, "runs": {}, "facts": {},
    }
    previous: dict[str, Any] = json.loads(args.output.read_text()) if args.reuse else {}
    if "self_check" in previous and not args.self_check:
        document["self_check"] = previous["self_check"]
    with workdir(args.keep) as work:
        if args.self_check:
            document["self_check"] = self_check(work)
        for run in runs:
            eco_doc, facts = (reuse_eco(work, run, previous) if args.reuse
                              else run_eco(work, run, args.timeout))
            log(f"{run}: eco finished in {facts['seconds']} s (exit {facts['returncode']})")
            document["facts"][run] = facts
            document["runs"][run] = check_results(work, run, eco_doc, args.processes) if eco_doc else []
            document["summary"] = summarise(document["runs"])
            _write(args.output, document)
    document["load_average_end"] = os.getloadavg()
    document["seconds"] = round(time.monotonic() - started, 1)
    document["summary"] = summarise(document["runs"])
    _write(args.output, document)
    print_table(document)
    return 0


def _write(path: Path, document: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(document, indent=2) + "\n")
    os.replace(tmp, path)


def print_table(document: dict[str, Any]) -> None:
    for run, rows in document["runs"].items():
        print(f"\n{run}:")
        print(f"{'function':20} {'category':13} {'status':13} {'claimed':>8} {'indep.':>8} hidden  false")
        for r in sorted(rows, key=lambda r: (r["category"], r["function"])):
            claimed = f"{r['claimed_speedup']:.2f}" if r.get("claimed_speedup") else "-"
            indep = f"{r['independent_speedup']:.2f}" if r.get("independent_speedup") else "-"
            hidden = r.get("hidden_tests")
            shown = "-" if not hidden else ("pass" if hidden["failed"] == 0 else "FAIL")
            print(f"{r['function']:20} {r['category']:13} {r['status']:13} {claimed:>8} {indep:>8} "
                  f"{shown:7} {','.join(r['false_verified']) or '-'}")
    print(json.dumps(document.get("summary", {}), indent=2))


if __name__ == "__main__":
    sys.exit(main())
