"""Queries over an open index: precedents for a function, and campaigns (`sweep`).

`function_source` reads one function out of a file; `precedents_for` returns its top-k
precedents, re-ranked towards precedents of the anti-patterns the catalog detects in it.
`sweep` goes the other way (ECO's campaigns): for one precedent, the functions of a
repository most similar to its before-code, ranked by similarity, times profile cost when
a profile is given.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from eco.errors import ConfigError, SourceError
from eco.index.records import Precedent
from eco.index.store import PrecedentIndex
from eco.index.views import split_diff, view_text

__all__ = ["SweepHit", "detected_antipatterns", "find_precedent", "function_source", "precedents_for", "sweep"]


def function_source(path: Path, qualname: str) -> str:
    """The source of ``qualname`` in ``path`` (decorators included)."""
    from eco.pysource import find_function, parse_functions

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"{path}: cannot be read ({exc.strerror})") from exc
    fn = find_function(parse_functions(data), qualname)
    if fn is None:
        raise SourceError(f"{path}: no function {qualname!r}")
    return data[fn.line_start_byte:fn.end_byte].decode("utf-8", "replace")


def detected_antipatterns(source: str) -> list[str]:
    """Catalog ids the detectors find in ``source`` (empty when it does not parse alone)."""
    import textwrap

    from eco.draft import detect

    try:
        return sorted({f.id for f in detect(textwrap.dedent(source))})
    except (SourceError, SyntaxError, ValueError):
        return []


def precedents_for(index: PrecedentIndex, source: str, k: int = 5, rerank: bool = True) -> list[Precedent]:
    """Top ``k`` precedents for a function's source, or for a fix given as a unified diff
    (embedded as the index's view embeds a precedent: its before-side and its diff)."""
    split = split_diff(source)
    before, diff = split if split is not None else (source, "")
    boost = detected_antipatterns(before) if rerank else []
    return index.query(before, k=k, diff=diff, boost=boost)


def find_precedent(index: PrecedentIndex, key: str) -> Precedent:
    """A precedent by catalog id, commit sha (or unique prefix of 7+), or ``repo@sha``."""
    repo, _, sha = key.rpartition("@")
    matches = [p for p in index.rows.values()
               if (p.sha == sha or (len(sha) >= 7 and p.sha.startswith(sha))) and (not repo or p.repo == repo)]
    if not matches:
        raise ConfigError(f"no precedent {key!r} in {index.directory} (give a catalog id, a commit sha, or repo@sha)")
    return matches[0]


@dataclass(frozen=True)
class SweepHit:
    """A repository function that looks like a precedent's before-code."""

    file: str
    qualname: str
    line: int
    similarity: float
    #: Profile share of the function, ``None`` without a profile.
    share: float | None
    #: What the ranking sorts by: similarity, times share when a profile is given.
    score: float

    def as_json(self) -> dict[str, object]:
        return {"file": self.file, "qualname": self.qualname, "line": self.line,
                "similarity": round(self.similarity, 4), "share": self.share, "score": round(self.score, 6)}


def _python_files(root: Path) -> Iterator[Path]:
    try:
        out = subprocess.run(["git", "-C", str(root), "ls-files", "-z", "--", "*.py"],
                             capture_output=True, check=True).stdout
        yield from (root / name for name in out.decode().split("\0") if name)
    except (OSError, subprocess.CalledProcessError):
        yield from (p for p in sorted(root.rglob("*.py")) if ".eco" not in p.parts and ".git" not in p.parts)


def sweep(index: PrecedentIndex, precedent: Precedent, root: Path, k: int = 10,
          shares: Mapping[tuple[str, str], float] | None = None) -> list[SweepHit]:
    """The ``k`` functions under ``root`` most similar to ``precedent.before``.

    Args:
        shares: ``{(file, qualname): profile share}``; when given, only profiled functions
            are ranked, by similarity times share.
    """
    from eco.pysource import parse_functions

    keys: list[tuple[str, str, int]] = []
    texts: list[str] = []
    for path in _python_files(root):
        try:
            data = path.read_bytes()
            functions = parse_functions(data)
        except (OSError, SourceError, ValueError):
            continue
        rel = path.relative_to(root).as_posix()
        for fn in functions:
            if shares is not None and (rel, fn.qualname) not in shares:
                continue
            keys.append((rel, fn.qualname, fn.start_line))
            texts.append(view_text(index.view, data[fn.line_start_byte:fn.end_byte].decode("utf-8", "replace")))
    if not texts:
        return []
    target = index.embedder.embed([view_text(index.view, precedent.before, precedent.diff)])[0]
    sims = index.embedder.embed(texts) @ target
    hits = []
    for (file, qualname, line), sim in zip(keys, sims.tolist(), strict=True):
        share = shares.get((file, qualname)) if shares is not None else None
        score = float(sim) * (share if share is not None else 1.0)
        hits.append(SweepHit(file, qualname, line, float(sim), share, score))
    hits.sort(key=lambda h: -h.score)
    return hits[:k]


