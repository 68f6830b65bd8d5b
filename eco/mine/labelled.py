"""Labelled git histories with known performance and non-performance commits.

Used by the tests and by ``benchmarks/mine_*.py``: `build_history` writes a real git
repository (through ``git fast-import``, so thousands of commits take seconds) whose
every commit carries a ground-truth label: is it performance work eco should store, and
which functions did it really change. The history mixes what real histories have:
optimisations with clear, terse and misleading messages, bug fixes, features, docstring,
formatting, rename-only and typing-only edits, test/CI-only commits ("speed up CI"),
"optimize imports", reverts, a cherry-pick with a merge, a renamed module, vendored
and generated files, methods, nested and decorated functions.
"""

from __future__ import annotations

import os
import random
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

__all__ = ["LabelledCommit", "LabelledHistory", "build_history"]


@dataclass(frozen=True)
class LabelledCommit:
    sha: str
    #: What the generator did: ``perf``, ``perf-terse``, ``bugfix``, ``docstring``, ``revert``...
    kind: str
    #: Ground truth: performance work that eco should store (reverted and excluded ones: False).
    perf: bool
    #: ``(file, qualname)`` of every function the commit changed non-trivially.
    functions: tuple[tuple[str, str], ...]
    message: str


@dataclass(frozen=True)
class LabelledHistory:
    root: Path
    commits: tuple[LabelledCommit, ...]

    def label(self, sha: str) -> LabelledCommit:
        return next(c for c in self.commits if c.sha == sha)


# --- function templates: (params, slow body, fast body, locals, detectable) ----------------------

_TEMPLATES: list[tuple[str, str, str, tuple[str, ...]]] = [
    ("left, right", "return [w for w in left if w in right]",
     "right_set = set(right)\nreturn [w for w in left if w in right_set]", ("w", "right_set")),
    ("words", "out = []\nfor word in words:\n    if word:\n        out.append(len(word))\nreturn out",
     "out = [len(word) for word in words if word]\nreturn out", ("out", "word")),
    ("rows", 'text = ""\nfor row in rows:\n    text += row + "\\n"\nreturn text',
     'parts = []\nfor row in rows:\n    parts.append(row + "\\n")\nreturn "".join(parts)', ("text", "row", "parts")),
    ("prices", "return sorted(prices)[0]", "return min(prices)", ()),
    ("graph, start", "seen = {start}\norder = []\nqueue = [start]\nwhile queue:\n    node = queue.pop(0)\n"
     "    order.append(node)\n    for nxt in graph.get(node, ()):\n        if nxt not in seen:\n"
     "            seen.add(nxt)\n            queue.append(nxt)\nreturn order",
     "seen = {start}\norder = []\nqueue = collections.deque([start])\nwhile queue:\n    node = queue.popleft()\n"
     "    order.append(node)\n    for nxt in graph.get(node, ()):\n        if nxt not in seen:\n"
     "            seen.add(nxt)\n            queue.append(nxt)\nreturn order", ("seen", "order", "queue", "node", "nxt")),
    ("text", 'words = []\nfor raw in text.split():\n    word = re.sub(r"^\\W+|\\W+$", "", raw.lower())\n'
     "    if word:\n        words.append(word)\nreturn words",
     'words = []\nstrip = re.compile(r"^\\W+|\\W+$")\nfor raw in text.split():\n    word = strip.sub("", raw.lower())\n'
     "    if word:\n        words.append(word)\nreturn words", ("words", "raw", "word", "strip")),
    ("items", "counts = {}\nfor item in items:\n    if item in counts:\n        counts[item] += 1\n    else:\n"
     "        counts[item] = 1\nreturn counts",
     "counts = {}\nfor item in items:\n    counts[item] = counts.get(item, 0) + 1\nreturn counts", ("counts", "item")),
    ("names, limit", "return any([len(name) > limit for name in names])",
     "return any(len(name) > limit for name in names)", ("name",)),
    ("table, key", "return key in table.keys()", "return key in table", ()),
    ("values", "total = 0\nfor v in list(values):\n    total += v * v\nreturn total",
     "total = 0\nfor v in values:\n    total += v * v\nreturn total", ("total", "v")),
    # Algorithmic: no catalog detector sees it.
    ("xs, target", "for i in range(len(xs)):\n    for j in range(i + 1, len(xs)):\n"
     "        if xs[i] + xs[j] == target:\n            return xs[i], xs[j]\nreturn None",
     "seen = set()\nfor x in xs:\n    if target - x in seen:\n        return target - x, x\n    seen.add(x)\nreturn None",
     ("i", "j", "seen", "x")),
    ("records, wanted", "found = []\nfor record in records:\n    for w in wanted:\n        if record.get('id') == w:\n"
     "            found.append(record)\nreturn found",
     "index = {}\nfor record in records:\n    index.setdefault(record.get('id'), []).append(record)\n"
     "found = []\nfor w in wanted:\n    found.extend(index.get(w, ()))\nreturn found", ("found", "record", "w", "index")),
]

_NAMES = ["lookup", "scan", "collect", "render", "cheapest", "walk", "tokens", "tally", "has_long", "known",
          "total", "pair_sum", "select", "merge_rows", "index_of", "summarize", "normalize", "group", "filter_ids",
          "resolve", "expand", "count_words", "gather", "visit", "score", "rank", "parse_line", "flatten"]

_PERF_MESSAGES = [
    "Speed up {fn}",
    "perf: avoid quadratic scan in {fn}",
    "Make {fn} about 3x faster",
    "Optimize {fn} for large inputs",
    "{mod}: faster {fn} (1.8x on the benchmark)",
    "Avoid repeated copies in {fn}",
    "PERF: {fn} no longer sorts the whole input",
    "Improve performance of {fn}\n\nProfiling showed {fn} at 30% of the run.",
    "[perf] {fn}: O(n) instead of O(n^2)",
    "Reduce the time spent in {fn}\n\nBefore: 120 ms\nAfter: 45 ms",
    "Use a set for membership tests in {fn}\n\nPerformance: 2.4x on bench_{fn}",
    "{fn}: precompile the pattern outside the loop",
    "Make {fn} more efficient",
    "Speed up {fn} on long inputs\n\nThis was the bottleneck of the import job.",
    "perf({mod}): cheaper {fn}",
    "{fn}: avoid an extra pass over the data",
]
_TERSE_MESSAGES = [  # performance work with little said about it
    "Use a dict in {fn}",
    "Simplify {fn}",
    "Tweak {fn}",
    "{fn}: use collections.deque",
    "Rework {fn}",
    "{fn}: don't rebuild the list each time",
]
_BUGFIX = ["Fix crash in {fn} on None input", "Handle empty input in {fn}", "Fix off-by-one in {fn}",
           "{fn}: raise ValueError for bad input", "Fix {fn} when called twice", "BUG: {fn} ignored its argument"]
_CACHEBUG = ["Fix cache invalidation in {fn}", "{fn}: clear the cache on reload"]
_FEATURE = ["Add a strict option to {fn}", "Support limits in {fn}", "{fn}: accept a callback"]
_DOCS = ["Document {fn}", "docs: fix typo in {fn} docstring", "Clarify {fn} docstring"]
_FORMAT = ["Reformat {mod} with black", "style: fix whitespace in {mod}", "Run ruff format"]
_RENAME = ["Rename variables in {fn} for clarity", "{fn}: clearer local names"]
_COMMENT = ["Add comments to {fn}", "Explain the loop in {fn}"]
_TYPING = ["Add type hints to {fn}", "typing: annotate {fn}"]
_TESTS = ["Speed up CI by caching pip", "Mark slow tests", "Add tests for {fn}", "Faster test suite: share fixtures",
          "tests: make the perf test less flaky"]
_IMPORTS = ["Optimize imports in {mod}", "Sort imports"]
_REFACTOR = ["Refactor {fn}", "Clean up {fn}"]


@dataclass
class _Fn:
    name: str
    template: int
    place: str  # top | method | nested | decorated
    fast: bool = False
    guards: int = 0
    doc: str = ""
    renamed: bool = False
    typed: bool = False
    comment: bool = False
    spaced: bool = False

    @property
    def qualname(self) -> str:
        if self.place == "method":
            return f"{self.name.title().replace('_', '')}Store.{self.name}"
        if self.place == "nested":
            return f"make_{self.name}.{self.name}"
        return self.name

    def render(self) -> str:
        params, slow, fast, local = _TEMPLATES[self.template]
        body = fast if self.fast else slow
        if self.renamed:
            import re

            for name in local:
                body = re.sub(rf"\b{name}\b", f"{name}_", body)
        lines = []
        if self.doc:
            lines.append(f'"""{self.doc}"""')
        first = params.split(",")[0].strip()
        for g in range(self.guards):
            lines += [f"if {first} is None:" if g == 0 else f"if not {first} and {g}:",
                      f"    raise ValueError('{self.name}: bad input {g}')"]
        if self.comment:
            lines.append(f"# {self.name}: see the module notes")
        lines += body.split("\n")
        if self.spaced:
            lines = [line.replace(" = ", "  =  ", 1) if " = " in line else line for line in lines]
        sig = params if not self.typed else ", ".join(f"{p.strip()}: object" for p in params.split(","))
        if self.place == "method":
            sig = "self, " + sig
        ret = " -> object" if self.typed else ""
        head = [f"def {self.name}({sig}){ret}:"]
        if self.place == "decorated":
            head.insert(0, "@_register")
        text = "\n".join(head + ["    " + line if line else "" for line in lines])
        if self.place == "method":
            return f"class {self.name.title().replace('_', '')}Store:\n" + _indent(text)
        if self.place == "nested":
            return f"def make_{self.name}():\n" + _indent(text) + f"\n    return {self.name}"
        return text


def _indent(text: str) -> str:
    return "\n".join("    " + line if line else "" for line in text.split("\n"))


@dataclass
class _Module:
    path: str
    fns: list[_Fn]
    imports_sorted: bool = False

    def render(self) -> str:
        imports = ["import collections", "import functools", "import re"]
        if not self.imports_sorted:
            imports = ["import re", "import collections", "import functools"]
        parts = ["\n".join(imports), "def _register(fn):\n    return fn"]
        parts += [fn.render() for fn in self.fns]
        return "\n\n\n".join(parts) + "\n"


@dataclass
class _State:
    modules: dict[str, _Module] = field(default_factory=dict)
    extra: dict[str, str] = field(default_factory=dict)

    def files(self) -> dict[str, str]:
        out = {m.path: m.render() for m in self.modules.values()}
        out.update(self.extra)
        return out

    def copy(self) -> _State:
        return _State({k: _Module(m.path, [replace(f) for f in m.fns], m.imports_sorted)
                       for k, m in self.modules.items()}, dict(self.extra))


class _Writer:
    """Commits through ``git fast-import``; flushed when a sha is needed."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.chunks: list[bytes] = []
        self.marks: dict[int, str] = {}
        self.next_mark = 1
        self.time = 1_700_000_000
        self.heads: dict[str, int] = {}
        self.trees: dict[str, dict[str, str]] = {}
        subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)

    def commit(self, branch: str, message: str, files: dict[str, str], merge: str | None = None,
               author: str = "Dev One <dev@example.invalid>") -> int:
        mark = self.next_mark
        self.next_mark += 1
        self.time += 3600
        old = self.trees.get(branch, {})
        msg = message.encode()
        out = [f"commit refs/heads/{branch}\nmark :{mark}\n".encode(),
               f"author {author} {self.time} +0000\ncommitter {author} {self.time} +0000\n".encode(),
               f"data {len(msg)}\n".encode() + msg + b"\n"]
        if branch in self.heads:
            out.append(f"from :{self.heads[branch]}\n".encode())
        if merge is not None:
            out.append(f"merge :{self.heads[merge]}\n".encode())
        for path in sorted(set(old) - set(files)):
            out.append(f"D {path}\n".encode())
        for path, text in sorted(files.items()):
            if old.get(path) != text:
                data = text.encode("utf-8", "surrogateescape") if isinstance(text, str) else text
                out.append(f"M 100644 inline {path}\ndata {len(data)}\n".encode() + data + b"\n")
        self.chunks.append(b"".join(out))
        self.heads[branch] = mark
        self.trees[branch] = dict(files)
        return mark

    def branch(self, name: str, from_branch: str) -> None:
        self.heads[name] = self.heads[from_branch]
        self.trees[name] = dict(self.trees[from_branch])

    def flush(self) -> None:
        if not self.chunks:
            return
        marks = self.root / ".git" / "eco-marks"
        subprocess.run(["git", "fast-import", "--quiet", f"--export-marks={marks}",
                        f"--import-marks-if-exists={marks}"], cwd=self.root,
                       input=b"".join(self.chunks),
                       check=True, capture_output=True)
        self.chunks = []
        for line in marks.read_text().splitlines():
            mark, sha = line.split()
            self.marks[int(mark[1:])] = sha

    def sha(self, mark: int) -> str:
        if mark not in self.marks:
            self.flush()
        return self.marks[mark]

    def finish(self) -> None:
        self.flush()
        (self.root / ".git" / "eco-marks").unlink(missing_ok=True)
        subprocess.run(["git", "checkout", "-q", "-f", "main"], cwd=self.root, check=True, capture_output=True)


def build_history(root: Path, commits: int = 80, seed: int = 0, modules: int = 4,
                  functions_per_module: int = 12, specials: bool = True) -> LabelledHistory:
    """Write a labelled history of about ``commits`` commits into a new repository at ``root``.

    ``specials`` adds the structural cases (revert, cherry-pick and merge, renamed module,
    vendored and generated files). The same arguments always give the same history.
    """
    os.makedirs(root, exist_ok=True)
    rng = random.Random(seed)
    writer = _Writer(root)
    state = _State()
    places = ["top", "top", "top", "method", "nested", "decorated"]
    count = 0
    for m in range(modules):
        fns = []
        for k in range(functions_per_module):
            name = f"{_NAMES[(m * functions_per_module + k) % len(_NAMES)]}_{m}{k}"
            fns.append(_Fn(name, rng.randrange(len(_TEMPLATES)), places[(k + m) % len(places)]))
        state.modules[f"pkg/mod{m}.py"] = _Module(f"pkg/mod{m}.py", fns)
    state.extra["README.md"] = "# pkg\n"
    state.extra["CHANGES.rst"] = "Changes\n=======\n"
    state.extra["tests/test_pkg.py"] = "def test_nothing():\n    assert True\n"
    state.extra[".github/workflows/ci.yml"] = "on: push\n"
    state.extra["pkg/_vendor/fastlib.py"] = _Module("pkg/_vendor/fastlib.py", [_Fn("vendored_scan", 0, "top")]).render()
    state.extra["pkg/schema_pb2.py"] = ("# Generated by the protocol buffer compiler.  DO NOT EDIT!\n"
                                        + _Fn("generated_lookup", 0, "top").render() + "\n")
    labels: list[tuple[int, str, bool, tuple[tuple[str, str], ...], str]] = []

    def commit(kind: str, perf: bool, fns: tuple[tuple[str, str], ...], message: str, branch: str = "main",
               st: _State | None = None, merge: str | None = None) -> int:
        nonlocal count
        mark = writer.commit(branch, message, (st or state).files(), merge=merge)
        labels.append((mark, kind, perf, fns, message))
        count += 1
        return mark

    commit("initial", False, (), "Initial import")
    perf_marks: list[tuple[int, str, _Fn]] = []

    def pick(pred: Callable[[_Fn], bool] | None = None) -> tuple[_Module, _Fn] | None:
        candidates = [(mod, fn) for mod in state.modules.values() for fn in mod.fns
                      if pred is None or pred(fn)]
        return rng.choice(candidates) if candidates else None

    weights = {
        "perf": 16, "perf-terse": 5, "bugfix": 14, "feature": 6, "docstring": 6, "format": 5, "rename": 4,
        "comment": 4, "typing": 4, "tests": 8, "ci": 3, "imports": 3, "cache-bug": 3, "refactor": 3, "readme": 3,
    }
    kinds = list(weights)
    special_at: dict[int, str] = {}
    if specials:
        for i, kind in enumerate(["revert", "cherry-pick", "rename-module", "vendored", "generated", "changelog-perf"]):
            special_at[max(3, (i + 1) * commits // 8)] = kind
    step = 0
    while count < commits:
        step += 1
        kind = special_at.pop(step, "") or rng.choices(kinds, [weights[k] for k in kinds])[0]
        sel = pick(lambda f: not f.fast) if kind.startswith("perf") or kind in ("refactor", "changelog-perf", "cherry-pick") \
            else pick()
        if sel is None:
            for mod in state.modules.values():
                for fn in mod.fns:
                    fn.fast = False  # a regression slipped in: the slow version is back
            commit("regression", False, (), "Merge the legacy code path back")
            continue
        mod, fn = sel
        mod_name = mod.path.rsplit("/", 1)[-1][:-3]
        where = ((mod.path, fn.qualname),)
        fmt = {"fn": fn.name, "mod": mod_name}
        if kind in ("perf", "perf-terse", "refactor", "changelog-perf"):
            fn.fast = True
            pool = {"perf": _PERF_MESSAGES, "perf-terse": _TERSE_MESSAGES, "refactor": _REFACTOR,
                    "changelog-perf": _TERSE_MESSAGES}[kind]
            if kind == "changelog-perf":
                state.extra["CHANGES.rst"] += f"\n- ``{fn.name}`` is much faster on large inputs.\n"
            elif kind == "perf" and rng.random() < 0.3:
                state.extra[f"benchmarks/bench_{fn.name}.py"] = f"def time_{fn.name}():\n    pass\n"
            perf = kind != "refactor"
            mark = commit(kind, perf, where, rng.choice(pool).format(**fmt))
            if perf:
                perf_marks.append((mark, mod.path, fn))
        elif kind == "bugfix":
            fn.guards += 1
            commit(kind, False, where, rng.choice(_BUGFIX).format(**fmt))
        elif kind == "cache-bug":
            fn.guards += 1
            commit(kind, False, where, rng.choice(_CACHEBUG).format(**fmt))
        elif kind == "feature":
            if rng.random() < 0.5:
                new = _Fn(f"helper_{count}", rng.randrange(len(_TEMPLATES)), "top")
                mod.fns.append(new)
                commit(kind, False, (), f"Add {new.name} helper")
            else:
                fn.guards += 1
                commit(kind, False, where, rng.choice(_FEATURE).format(**fmt))
        elif kind == "docstring":
            fn.doc = f"{fn.name.replace('_', ' ').capitalize()} (revision {count})."
            commit(kind, False, (), rng.choice(_DOCS).format(**fmt))
        elif kind == "format":
            fn.spaced = not fn.spaced
            commit(kind, False, (), rng.choice(_FORMAT).format(**fmt))
        elif kind == "rename":
            fn.renamed = not fn.renamed
            commit(kind, False, (), rng.choice(_RENAME).format(**fmt))
        elif kind == "comment":
            fn.comment = not fn.comment
            commit(kind, False, (), rng.choice(_COMMENT).format(**fmt))
        elif kind == "typing":
            fn.typed = not fn.typed
            commit(kind, False, (), rng.choice(_TYPING).format(**fmt))
        elif kind == "tests":
            state.extra["tests/test_pkg.py"] += f"\n\ndef test_{count}():\n    assert True\n"
            commit(kind, False, (), rng.choice(_TESTS).format(**fmt))
        elif kind == "ci":
            state.extra[".github/workflows/ci.yml"] += f"# cache step {count}\n"
            commit(kind, False, (), "Speed up CI: cache pip downloads")
        elif kind == "imports":
            mod.imports_sorted = not mod.imports_sorted
            commit(kind, False, (), rng.choice(_IMPORTS).format(**fmt))
        elif kind == "readme":
            state.extra["README.md"] += f"\nFaster setup instructions, part {count}.\n"
            commit(kind, False, (), "README: faster setup instructions")
        elif kind == "revert" and perf_marks:
            mark, _path, target = perf_marks.pop()
            target.fast = False
            sha = writer.sha(mark)
            reverted = next(i for i, lab in enumerate(labels) if lab[0] == mark)
            labels[reverted] = (*labels[reverted][:1], "reverted-perf", False, labels[reverted][3], labels[reverted][4])
            subject = labels[reverted][4].split("\n", 1)[0]
            commit("revert", False, (), f'Revert "{subject}"\n\nThis reverts commit {sha}.\n')
        elif kind == "cherry-pick":
            writer.branch("maint", "main")
            side = state.copy()
            side_mod = side.modules[mod.path]
            side_fn = next(f for f in side_mod.fns if f.name == fn.name)
            side_fn.fast = True
            message = f"Speed up {fn.name} with a set"
            original = commit("perf", True, where, message, branch="maint", st=side)
            other = next(f for f in side_mod.fns if f.name != fn.name)
            other.guards += 1
            commit("bugfix", False, ((mod.path, other.qualname),), f"Fix crash in {other.name} on None input",
                   branch="maint", st=side)
            fn.fast = True
            commit("cherry-pick", True, where, f"{message}\n\n(cherry picked from commit {writer.sha(original)})\n")
            main_other = next(f for f in mod.fns if f.name == other.name)
            main_other.guards = other.guards
            commit("merge", False, (), "Merge branch 'maint'", merge="maint")
        elif kind == "rename-module":
            new_path = mod.path.replace(".py", "_core.py")
            del state.modules[mod.path]
            mod.path = new_path
            state.modules[new_path] = mod
            slow = [f for f in mod.fns if not f.fast]
            if slow:
                target = slow[0]
                target.fast = True
                mark = commit("perf-renamed", True, ((new_path, target.qualname),),
                              f"Move {mod_name} to {mod_name}_core and speed up {target.name}")
                perf_marks.insert(0, (mark, new_path, target))
            else:
                commit("rename", False, (), f"Move {mod_name} to {mod_name}_core")
        elif kind == "vendored":
            state.extra["pkg/_vendor/fastlib.py"] = _Module(
                "pkg/_vendor/fastlib.py", [_Fn("vendored_scan", 0, "top", fast=True)]).render()
            commit("vendored", False, (), "Update vendored fastlib: speed up vendored_scan 2x")
        elif kind == "generated":
            state.extra["pkg/schema_pb2.py"] = ("# Generated by the protocol buffer compiler.  DO NOT EDIT!\n"
                                                + _Fn("generated_lookup", 0, "top", fast=True).render() + "\n")
            commit("generated", False, (), "Regenerate schema: faster lookups")
    writer.finish()
    labelled = tuple(LabelledCommit(writer.sha(mark), kind, perf, fns, message)
                     for mark, kind, perf, fns, message in labels)
    return LabelledHistory(root=root, commits=labelled)
