"""The performance-commit classifier: weighted evidence, each piece kept to explain the score.

Every signal adds log-odds; the score is ``sigmoid(sum - BIAS)``, so with the default
threshold of 0.5 an edit is stored when its evidence adds up to ``BIAS``. Evidence:

- message keywords with weights (``speed up``, ``faster``, ``optimize``, ``quadratic``,
  ``cache``, benchmark numbers...), and negative ones (``faster CI``, ``slow test``,
  ``optimize imports``, docs/typing/formatting words); a negative phrase hides the positive
  words inside it, so "faster CI" never counts as "faster";
- trailers and tags teams use (``perf:``/``PERF:`` subjects, ``[perf]``, ``Performance:``,
  ``Type: perf``, ``Labels: performance``; ``docs:``, ``test:``, ``ci:`` against);
- changelog or release-note lines added in the same commit that talk about speed, and
  towncrier fragments of a ``perf`` type;
- static analysis: catalog detectors that fire on the function before and not after;
- the shape of the diff: benchmarks touched, sweeping commits, only tests/docs/CI changed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

from eco.mine.records import Signal

__all__ = ["BIAS", "STATIC_MAX", "changelog_signals", "message_signals", "score", "shape_signals", "static_signal"]

#: Evidence needed for a score of 0.5.
BIAS = 2.0
#: The most static analysis adds: below `BIAS`, so it never stores an edit on its own.
STATIC_MAX = 1.75
#: Keyword evidence saturates: ten synonyms are not ten times the evidence.
_MESSAGE_CAP = 4.0

_F = re.IGNORECASE

_POSITIVE: list[tuple[str, float, re.Pattern[str]]] = [
    ("speed up", 2.5, re.compile(r"\bspeed(s|ed|ing)?[- ]?ups?\b|\bspeedups?\b|\bsped up\b"
                                 r"|\b(improv\w*|boost\w*|increas\w*|better)\s+(the\s+)?(performance|speed|throughput)\b",
                                 _F)),
    ("faster", 2.0, re.compile(r"\bfaster\b|\bquicker\b", _F)),
    ("optimize", 2.0, re.compile(r"\boptimi[sz](e|es|ed|ing|ation|ations)\b", _F)),
    ("performance", 2.0, re.compile(r"\bperformance\b|\bperf\b|\bperformant\b", _F)),
    ("avoid copy", 2.0, re.compile(
        r"\b(avoid|avoids|avoiding|remove|removes|eliminate|eliminates|skip|no|fewer|less)\s+"
        r"(an?\s+|the\s+|unnecessary\s+|needless\s+|redundant\s+|extra\s+|repeated\s+)*"
        r"(copy|copies|copying|allocations?|re-?computation|recomputing|re-?parsing|lookups?|"
        r"pass(es)?|scans?|sorts?|conversions?|materiali[sz]ation|overhead|quadratic)\b", _F)),
    ("complexity", 2.0, re.compile(r"\bquadratic\b|\bO\(\s*(n|1|log\s*n|n\s*log\s*n|n\s*\*\*\s*2|n\^2|n2)\s*\)"
                                   r"|\blinear time\b|\bconstant time\b|\bexponential\b", _F)),
    ("efficient", 2.0, re.compile(r"\b(more\s+)?efficient(ly)?\b|\befficiency\b|\bbottleneck\b|\bhot (path|loop)\b"
                                  r"|\bfast[- ]path\b|\blatency\b|\bthroughput\b", _F)),
    ("cache", 1.0, re.compile(r"\bcach(e|es|ed|ing)\b|\bmemoi[sz](e|es|ed|ing|ation)\b|\blru_cache\b", _F)),
    ("cheaper", 1.5, re.compile(r"\b(cheaper|slowness|too slow|slow path|expensive|costly|reduce[sd]? "
                                r"(the )?(time|cost|memory|overhead|allocations?|runtime))\b", _F)),
    ("vectorize", 1.5, re.compile(r"\bvectori[sz](e|es|ed|ing|ation)\b|\bhoist(s|ed|ing)?\b|\bprecompil(e|es|ed|ing)\b"
                                  r"|\blazily\b|\bin[- ]place\b|\bbatch(ed)? (calls?|queries|requests)\b", _F)),
    ("repeated work", 1.0, re.compile(
        r"\b(don'?t|do not|no longer|stop|avoid)\s+(re\w+|copy\w*|creat\w*|build\w*|sort\w*|scan\w*|call\w*|"
        r"comput\w*|pars\w*|load\w*)\b.{0,40}?\b(each|every|per)\s+(time|call|iteration|loop|request|item|row)s?\b"
        r"|\bonly once\b|\bonce instead of\b", _F)),
    ("data structure", 1.0, re.compile(r"\buse (a )?(set|dict|deque|collections\.deque|heap|heapq|generator|bisect)\b"
                                       r"|\b(set|dict) (lookup|membership)\b|\bmembership test\b", _F)),
    ("slow", 0.5, re.compile(r"\bslow(er|ly)?\b", _F)),
    ("benchmark numbers", 2.0, re.compile(
        r"\b\d+(\.\d+)?\s?[x\u00d7]\s+(faster|speed-?up|quicker|improvement|less)\b|\(\s*\d+(\.\d+)?\s?[x\u00d7]\s*\)"
        r"|~?\b\d+(\.\d+)?\s?[x\u00d7]\s+(on|in|for)\s|\b\d+(\.\d+)?\s?%\s+(faster|less|fewer|quicker|reduction|"
        r"speed|improvement|of the time)|\b\d+(\.\d+)?\s?(ns|us|µs|ms|s|sec|secs|seconds|minutes)\s*"
        r"(->|→|to|=>)\s*\d+(\.\d+)?\s?(ns|us|µs|ms|s|sec|secs|seconds|minutes)\b"
        r"|\bbefore\b[:=]?[^\n]{0,40}?\d+(\.\d+)?\s?(ns|us|µs|ms|s|sec|seconds)\b.{0,200}?\bafter\b[:=]?[^\n]{0,40}?\d",
        _F | re.DOTALL)),
    ("benchmark", 0.5, re.compile(r"\bbenchmark(s|ed|ing)?\b|\bprofil(e|ed|ing|er)\b|\btimeit\b", _F)),
]

_NEGATIVE: list[tuple[str, float, re.Pattern[str]]] = [
    ("faster CI/tests", -3.0, re.compile(
        r"\b(speed(s|ed)?[- ]?up|faster|quicker|optimi[sz]e[sd]?|cach(e|es|ed|ing)|slow(er)?)\s+"
        r"(the\s+|our\s+|up\s+)?(ci|tests?|test[- ]suite|builds?|docs? builds?|pipelines?|"
        r"workflows?|linting|pre-commit|installs?|pip|dependencies|checkout|actions|tox|nox|jobs?)\b"
        r"|\b(ci|tests?|test[- ]suite|builds?|pipelines?|workflows?|pip|dependency|dependencies)\s+"
        r"(speed|speed-?ups?|faster|quicker|cach(e|es|ed|ing)|time|runtime|performance|optimi[sz]ation)\b"
        r"|\bcach(e|es|ed|ing)\s+(pip|poetry|npm|wheels?|dependencies|the\s+venv|venv|docker)\b", _F)),
    ("slow test", -2.5, re.compile(r"\bslow[- _]tests?\b|\bmark(ed|s)?\b.{0,30}\bslow\b|\bpytest\.mark\.slow\b"
                                   r"|\btests? (is|are|was|were) slow\b|\bperformance tests?\b|\bperf tests?\b"
                                   r"|\bbenchmark tests?\b|\btimeouts? in tests?\b", _F)),
    ("optimize imports", -3.0, re.compile(r"\boptimi[sz]e[sd]?\s+(the\s+)?imports?\b|\bimport (order|sorting)\b"
                                          r"|\bsort(ed)? imports\b|\bisort\b", _F)),
    ("docs", -1.5, re.compile(r"\b(docs?|documentation|docstrings?|readme|typos?|spelling|comments?)\b", _F)),
    ("typing", -1.5, re.compile(r"\b(typing|type hints?|type annotations?|annotations?|mypy|pyright|type[- ]check(ing)?)\b", _F)),
    ("formatting", -1.5, re.compile(r"\b(reformat(ted|s)?|formatting|black|ruff|flake8|pylint|lint(s|ing)?|whitespace|"
                                    r"code style|pep ?8|pre-commit)\b", _F)),
    ("revert", -3.0, re.compile(r"^revert\b|\brevert(s|ed)? (commit|\")", _F)),
    ("bug fix", -0.5, re.compile(r"\b(fix(es|ed)?|correct(s|ed)?)\s+(a\s+|the\s+)?(bug|crash|regression in behaviou?r|"
                                 r"typo|error|exception|off-by-one|race)\b|\bBUG:", _F)),
    ("cache bug", -2.0, re.compile(r"\bcache\s+(invalidation|poisoning|corruption|bug|leak|key collision|is stale)\b"
                                   r"|\bstale cache\b|\bclear(s|ed|ing)? (the )?cache\b|\bdisable (the )?cache\b", _F)),
    ("refactor", -0.5, re.compile(r"\brefactor(s|ed|ing)?\b|\bclean ?up\b|\brename[sd]?\b|\bdeprecat(e|ed|ion)\b|"
                                  r"\bmove[sd]?\b", _F)),
    ("release", -1.0, re.compile(r"\b(release|bump(ed)?( version)?|version bump|prepare for)\s+v?\d", _F)),
]

_TAG_POSITIVE = re.compile(r"^\s*(perf|performance|speed|speedup|optimi[sz]ation)(\([^)]*\))?!?\s*:"
                           r"|^\s*PERF\b|\[(perf|performance|speed|speedup|optimi[sz]ation|optimi[sz]e)\]", _F)
_TAG_NEGATIVE = re.compile(r"^\s*(docs?|test|tests|ci|style|chore|build|typing|types|lint|deps|release)"
                           r"(\([^)]*\))?!?\s*:|^\s*(DOC|DOCS|TST|CI|STY|TYP|BLD|REL|MAINT)\s*:", _F)
_TRAILER = re.compile(r"^([A-Za-z][A-Za-z0-9-]{1,40}):\s*(.+)$")
_PERF_VALUE = re.compile(r"\b(perf|performance|speed|speed-?up|optimi[sz]ation|faster|efficiency)\b", _F)
_NEG_VALUE = re.compile(r"\b(docs?|documentation|tests?|ci|chore|style|typing|build|refactor|bug|bugfix)\b", _F)
_LABEL_KEYS = {"label", "labels", "type", "kind", "category", "change-type", "changelog", "topic", "area", "tags"}
_PERF_KEYS = {"performance", "perf", "perf-impact", "speedup", "benchmark", "benchmarks", "bench",
              "performance-impact"}
_IGNORED_LINES = re.compile(r"^(this reverts commit|\(cherry picked from commit|signed-off-by:|co-authored-by:|"
                            r"reviewed-by:|change-id:|acked-by:)", _F)
_SPEED_LINE = re.compile(r"\b(faster|speed(s|ed)?[- ]?ups?|speedups?|performance|perf|optimi[sz]\w+|quadratic|"
                         r"efficient|quicker|less memory|memory usage|\d+(\.\d+)?\s?[x\u00d7]\b)", _F)


def score(signals: Iterable[Signal]) -> float:
    """``sigmoid(sum of weights - BIAS)``."""
    total = sum(s.weight for s in signals) - BIAS
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, total))))


def message_signals(message: str) -> list[Signal]:
    """Keyword, negative-keyword, tag and trailer evidence from a commit message."""
    lines = [line for line in message.strip().splitlines() if not _IGNORED_LINES.match(line.strip())]
    subject = lines[0] if lines else ""
    signals: list[Signal] = []
    # Trailers: "Key: value" lines of the last paragraph (and anywhere, for Performance: ...).
    paragraphs = "\n".join(lines).strip().split("\n\n")
    trailer_lines = paragraphs[-1].splitlines() if len(paragraphs) > 1 else []
    body_lines = []
    for line in lines[1:]:
        match = _TRAILER.match(line.strip())
        key = match.group(1).lower() if match else ""
        if match and (line in trailer_lines or key in _PERF_KEYS or key in _LABEL_KEYS):
            value = match.group(2)
            if key in _PERF_KEYS or (key in _LABEL_KEYS and _PERF_VALUE.search(value)):
                signals.append(Signal("trailer", 2.5, f"{match.group(1)}: {value.strip()[:80]}"))
            elif key in _LABEL_KEYS and _NEG_VALUE.search(value):
                signals.append(Signal("trailer", -2.0, f"{match.group(1)}: {value.strip()[:80]}"))
            if key in _PERF_KEYS or key in _LABEL_KEYS:
                continue
        body_lines.append(line)
    tag = _TAG_POSITIVE.search(subject)
    if tag:
        signals.append(Signal("trailer", 2.5, f"tag {tag.group(0).strip()!r} in the subject"))
    else:
        neg = _TAG_NEGATIVE.search(subject)
        if neg:
            signals.append(Signal("trailer", -2.0, f"tag {neg.group(0).strip()!r} in the subject"))
    text = "\n".join([subject, *body_lines])
    if tag:
        text = text.replace(tag.group(0), " ", 1)
    # Negative phrases first; their words are blanked so they cannot count as positive.
    for name, weight, pattern in _NEGATIVE:
        found = pattern.search(text)
        if found:
            signals.append(Signal("negative", weight, f"{name}: {found.group(0).strip()!r}"))
            if weight <= -2.0:
                text = pattern.sub(lambda m: " " * len(m.group(0)), text)
    total = 0.0
    for name, weight, pattern in _POSITIVE:
        found = pattern.search(text)
        if found:
            weight = min(weight, _MESSAGE_CAP - total)
            if weight > 0:
                total += weight
                signals.append(Signal("message", weight, f"{name}: {found.group(0).strip()!r}"))
    return signals


def changelog_signals(added_lines: dict[str, list[str]], fragments: list[str]) -> list[Signal]:
    """Evidence from changelog/release-note lines added by the same commit."""
    for path in fragments:
        return [Signal("changelog", 2.5, f"performance news fragment {path}")]
    for path, lines in added_lines.items():
        for line in lines:
            found = _SPEED_LINE.search(line)
            if found and not any(p[2].search(line) for p in _NEGATIVE[:3]):
                return [Signal("changelog", 2.0, f"{path}: {line.strip()[:100]!r}")]
    return []


def static_signal(removed: Iterable[str]) -> list[Signal]:
    """Catalog anti-patterns present before the edit and gone after it."""
    ids = sorted(set(removed))
    if not ids:
        return []
    return [Signal("static", min(STATIC_MAX, 1.5 + 0.25 * (len(ids) - 1)), "removed " + ", ".join(ids))]


def shape_signals(kinds: dict[str, int], changed_functions: int, sweeping: int) -> list[Signal]:
    """Evidence from what the commit touched: file kinds and how many functions changed."""
    signals = []
    if kinds.get("bench"):
        signals.append(Signal("shape", 1.0, f"touches {kinds['bench']} benchmark file(s)"))
    if changed_functions > sweeping:
        signals.append(Signal("shape", -1.5, f"sweeping change: {changed_functions} functions edited"))
    if not kinds.get("source"):
        touched = ", ".join(f"{k}" for k in sorted(kinds) if kinds[k]) or "nothing"
        signals.append(Signal("shape", -3.0, f"no source function changed (only {touched})"))
    return signals
