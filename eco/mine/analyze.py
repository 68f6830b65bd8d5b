"""One commit in, its function-level edits and the evidence about them out.

`CommitAnalyzer` is what runs inside a worker: it reads blobs through one
`BlobReader`, parses each blob once (a file's "after" is the next commit's "before"),
and runs the catalog's detectors only where their verdict can change the outcome or
where an edit is stored (their ids are part of the stored record).
"""

from __future__ import annotations

import hashlib
import math
import textwrap
from collections import Counter, OrderedDict
from dataclasses import dataclass, field

from eco.mine.classify import (
    BIAS,
    STATIC_MAX,
    changelog_signals,
    message_signals,
    score,
    shape_signals,
    static_signal,
)
from eco.mine.functions import (
    Function,
    ParsedFile,
    changed_functions,
    decode_source,
    fingerprint,
    function_diff,
    parse_file,
    trivial_reason,
)
from eco.mine.gitread import BlobReader, FileChange, RawCommit
from eco.mine.paths import file_kind, generated_header, towncrier_perf
from eco.mine.records import CommitOutcome, FunctionVerdict, MinedEdit, MineOptions, Problem, Signal

__all__ = ["Analysis", "CommitAnalyzer", "Extraction", "static_removed"]

_STATIC_CACHE: OrderedDict[str, Counter[str] | None] = OrderedDict()


def static_removed(imports: str, before: str, after: str) -> tuple[tuple[str, ...], str]:
    """Catalog ids found in ``before`` more often than in ``after``, and a note when the
    detectors could not run (a revision that is not valid Python 3)."""
    found_b = _detect(imports, before)
    if found_b is None:
        return (), "static analysis skipped: not parseable as Python 3"
    if not found_b:
        return (), ""  # nothing before, nothing removed: the after side need not be analysed
    found_a = _detect(imports, after)
    if found_a is None:
        return (), "static analysis skipped: not parseable as Python 3"
    return tuple(sorted(i for i, n in found_b.items() if n > found_a.get(i, 0))), ""


def _detect(imports: str, text: str) -> Counter[str] | None:
    snippet = (imports + "\n\n\n" if imports else "") + textwrap.dedent(text)
    key = hashlib.blake2b(snippet.encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()
    if key in _STATIC_CACHE:
        _STATIC_CACHE.move_to_end(key)
        return _STATIC_CACHE[key]
    from eco.draft import detect

    try:
        result: Counter[str] | None = Counter(f.id for f in detect(snippet, "<mined>"))
    except Exception:
        result = None
    _STATIC_CACHE[key] = result
    if len(_STATIC_CACHE) > 4096:
        _STATIC_CACHE.popitem(last=False)
    return result


@dataclass
class Extraction:
    """What one commit changed, before any classification."""

    #: ``(change, parsed after file, function before, function after)`` of non-trivial edits
    #: of source files.
    pairs: list[tuple[FileChange, ParsedFile, Function, Function]] = field(default_factory=list)
    #: Files touched, by `file_kind`.
    kinds: Counter[str] = field(default_factory=Counter)
    #: Lines added to changelogs, by path.
    changelog: dict[str, list[str]] = field(default_factory=dict)
    #: Performance news fragments added.
    fragments: list[str] = field(default_factory=list)


@dataclass
class Analysis:
    """Everything found about one commit."""

    outcome: CommitOutcome
    edits: list[MinedEdit] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    #: Commit-level evidence (message, trailers, changelog, shape).
    signals: list[Signal] = field(default_factory=list)
    #: Every changed function, kept or dropped (filled only in ``full`` mode).
    verdicts: list[FunctionVerdict] = field(default_factory=list)


class CommitAnalyzer:
    """Analyse commits of one repository; ``full`` keeps every verdict and always runs the
    detectors (for `--explain`)."""

    def __init__(self, repo: str, blobs: BlobReader, options: MineOptions, full: bool = False) -> None:
        self.repo = repo
        self.blobs = blobs
        self.options = options
        self.full = full
        self._parsed: OrderedDict[str, ParsedFile | str] = OrderedDict()
        # Evidence needed for the threshold: sigmoid(x - BIAS) >= min_score.
        p = min(max(options.min_score, 1e-9), 1 - 1e-9)
        self._needed = BIAS + math.log(p / (1 - p))

    # --- reading files ----------------------------------------------------------------

    def _read(self, commit: RawCommit, path: str, blob: str, problems: list[Problem]) -> ParsedFile | str | None:
        """The parsed file; ``"generated"`` for a generated file; ``None`` (and a problem) when
        it cannot be read."""
        cached = self._parsed.get(blob)
        if cached is None:
            cached = self._load(blob)
            self._parsed[blob] = cached
            if len(self._parsed) > 512:
                self._parsed.popitem(last=False)
        else:
            self._parsed.move_to_end(blob)
        if cached == "generated":
            return cached
        if isinstance(cached, str):
            problems.append(Problem(self.repo, commit.sha, path, cached))
            return None
        return cached

    def _load(self, blob: str) -> ParsedFile | str:
        data = self.blobs.read(blob)
        if data is None:
            return f"object {blob[:12]} cannot be read (missing or corrupt); file skipped"
        if isinstance(data, int):
            return f"file too large ({data} bytes > {self.options.max_file_bytes}); skipped"
        if b"\0" in data[:8192]:
            return "binary content (NUL bytes); skipped"
        try:
            text = decode_source(data)
        except (UnicodeDecodeError, SyntaxError, LookupError) as exc:
            where = f" at byte {exc.start}" if isinstance(exc, UnicodeDecodeError) else ""
            return f"not UTF-8 and no valid coding cookie{where}; skipped"
        if not data.isascii():
            data = text.encode("utf-8", "surrogateescape")
        parsed = parse_file(data)
        if parsed.error_line:
            return f"syntax error at line {parsed.error_line}; this revision of the file skipped"
        if generated_header(data):
            return "generated"
        return parsed

    def _added_lines(self, change: FileChange) -> list[str]:
        new = self.blobs.read(change.new_blob)
        old = self.blobs.read(change.old_blob) if change.status != "A" else b""
        if not isinstance(new, bytes) or not isinstance(old, bytes):
            return []
        before = set(old.decode("utf-8", "replace").splitlines())
        return [line for line in new.decode("utf-8", "replace").splitlines() if line.strip() and line not in before]

    # --- one commit --------------------------------------------------------------------

    def extract(self, commit: RawCommit, problems: list[Problem], verdicts: list[FunctionVerdict]) -> Extraction:
        """The commit's changed functions and the file facts the classifier needs (trivial
        edits not yet dropped: see `drop_trivial`)."""
        out = Extraction()
        for change in commit.changes:
            path = change.new_path if change.status != "D" else change.old_path
            kind = file_kind(path)
            if kind == "changelog" and change.status in ("A", "M", "R"):
                if change.status == "A" and towncrier_perf(path):
                    out.fragments.append(path)
                else:
                    out.changelog[path] = self._added_lines(change)
            if not path.endswith(".py") or change.status not in ("M", "R"):
                out.kinds[kind] += 1
                continue
            if kind in ("vendored", "generated"):
                out.kinds[kind] += 1
                if self.full:
                    verdicts.append(FunctionVerdict(path, "*", kind, (), (), 0.0))
                continue
            before = self._read(commit, change.old_path, change.old_blob, problems)
            after = self._read(commit, path, change.new_blob, problems)
            if "generated" in (before, after):
                out.kinds["generated"] += 1
                if self.full:
                    verdicts.append(FunctionVerdict(path, "*", "generated", (), (), 0.0))
                continue
            if not isinstance(before, ParsedFile) or not isinstance(after, ParsedFile):
                continue
            functions = changed_functions(before, after)
            if kind != "source":
                out.kinds[kind] += 1
                if self.full:
                    verdicts += [FunctionVerdict(path, a.qualname, f"in a {kind} file", (), (), 0.0)
                                 for _, a in functions]
                continue
            if not functions:
                out.kinds["source (no function body)"] += 1
            out.pairs += [(change, after, b, a) for b, a in functions]
        out.kinds["source"] = len({id(p[0]) for p in out.pairs})
        return out

    def drop_trivial(self, found: Extraction, verdicts: list[FunctionVerdict]) -> None:
        """Drop whitespace, comment, docstring, typing and rename-only edits from ``found``."""
        kept = []
        for change, after, fn_b, fn_a in found.pairs:
            reason = trivial_reason(fn_b.text, fn_a.text)
            if not reason:
                kept.append((change, after, fn_b, fn_a))
            elif self.full:
                verdicts.append(FunctionVerdict(change.new_path, fn_a.qualname, reason, (), (), 0.0))
        files = {id(p[0]) for p in found.pairs}
        found.kinds["source"] = len({id(p[0]) for p in kept})
        # A Python file whose only changes were trivial is not source work.
        found.kinds["source (no function body)"] += len(files) - found.kinds["source"]
        found.pairs = kept

    def analyze(self, commit: RawCommit) -> Analysis:
        if not commit.parents:
            return Analysis(CommitOutcome(commit.sha, "root", 0.0, 0, commit.subject))
        problems: list[Problem] = []
        verdicts: list[FunctionVerdict] = []
        found = self.extract(commit, problems, verdicts)
        signals = message_signals(commit.message)
        signals += changelog_signals(found.changelog, found.fragments)
        # Evidence first: when even the best case (a benchmark touched, the detectors agreeing)
        # cannot reach the threshold, nothing of this commit can be stored, and the costly
        # checks (trivial-edit ASTs, static analysis) are skipped.
        upper = sum(s.weight for s in signals) + (1.0 if found.kinds.get("bench") else 0.0) + STATIC_MAX
        if not self.full and upper < self._needed:
            signals += shape_signals(dict(found.kinds), len(found.pairs), self.options.sweeping_functions)
            return Analysis(CommitOutcome(commit.sha, "mined", score(signals), 0, commit.subject),
                            [], problems, signals, verdicts)
        self.drop_trivial(found, verdicts)
        pairs = found.pairs
        signals += shape_signals(dict(found.kinds), len(pairs), self.options.sweeping_functions)
        base = sum(s.weight for s in signals)
        edits: list[MinedEdit] = []
        values = [score(signals)] if not pairs else []
        for change, after, fn_b, fn_a in pairs:
            fn_signals = list(signals)
            removed: tuple[str, ...] = ()
            if self.full or base + STATIC_MAX >= self._needed:
                removed, note = static_removed(after.imports, fn_b.text, fn_a.text)
                fn_signals += static_signal(removed)
                if note and self.full:
                    fn_signals.append(Signal("static", 0.0, note))
            value = score(fn_signals)
            values.append(value)
            stored = value >= self.options.min_score
            if self.full:
                verdicts.append(FunctionVerdict(change.new_path, fn_a.qualname, "" if stored else "score below threshold",
                                                removed, tuple(fn_signals), value))
            if stored:
                edits.append(MinedEdit(
                    repo=self.repo, sha=commit.sha, date=commit.date, author=commit.author,
                    message=commit.message, file=change.new_path, qualname=fn_a.qualname,
                    before=fn_b.text, after=fn_a.text,
                    diff=function_diff(change.old_path, change.new_path, fn_b, fn_a),
                    antipatterns=removed, score=value, signals=tuple(fn_signals),
                    fingerprint=fingerprint(fn_a.qualname, fn_b.text, fn_a.text),
                    old_file=change.old_path,
                ))
        outcome = CommitOutcome(commit.sha, "mined", max(values), len(edits), commit.subject)
        return Analysis(outcome, edits, problems, signals, verdicts)
