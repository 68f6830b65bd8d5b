"""`eco mine --explain SHA`: every piece of evidence about one commit, and what it added up to."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eco.mine.analyze import CommitAnalyzer
from eco.mine.classify import BIAS
from eco.mine.errors import MineError
from eco.mine.gitread import (
    BlobReader,
    effectively_reverted,
    git_output,
    grafted,
    open_repo,
    read_commits,
    revert_targets,
)
from eco.mine.records import FunctionVerdict, MineOptions, Problem, Signal

__all__ = ["Explanation", "explain"]


@dataclass(frozen=True)
class Explanation:
    repo: str
    sha: str
    subject: str
    #: Why the commit is excluded whatever its score (merge, reverted by X...), ``""`` if not.
    excluded: str
    #: Commit-level evidence.
    signals: tuple[Signal, ...]
    #: Every changed function, with its own evidence and fate.
    functions: tuple[FunctionVerdict, ...]
    score: float
    threshold: float
    problems: tuple[Problem, ...]

    @property
    def performance(self) -> bool:
        return not self.excluded and any(not f.dropped for f in self.functions)

    def as_dict(self) -> dict[str, Any]:
        return {
            "repo": self.repo, "sha": self.sha, "subject": self.subject, "excluded": self.excluded or None,
            "performance": self.performance, "score": round(self.score, 4), "threshold": self.threshold,
            "bias": BIAS, "signals": [s.as_dict() for s in self.signals],
            "functions": [{"file": f.file, "qualname": f.qualname, "stored": not f.dropped,
                           "dropped": f.dropped or None, "score": round(f.score, 4),
                           "antipatterns": list(f.antipatterns),
                           "signals": [s.as_dict() for s in f.signals if s not in self.signals]}
                          for f in self.functions],
            "problems": [str(p) for p in self.problems],
        }

    def lines(self) -> list[str]:
        """The explanation as plain text lines."""
        out = [f"{self.sha[:12]} {self.subject}"]
        verdict = "performance edit(s) stored" if self.performance else "not stored"
        out.append(f"verdict: {verdict} (score {self.score:.2f}, threshold {self.threshold:.2f}; "
                   f"score = sigmoid(sum of weights - {BIAS:g}))")
        if self.excluded:
            out.append(f"excluded: {self.excluded}")
        out.append("commit evidence:")
        out += [f"  {s.weight:+5.1f}  {s.kind:<9} {s.detail}" for s in self.signals] or ["  (none)"]
        if self.functions:
            out.append("functions:")
        for f in self.functions:
            fate = f"dropped: {f.dropped}" if f.dropped else "stored"
            out.append(f"  {f.file}::{f.qualname}  score {f.score:.2f}  {fate}")
            out += [f"      {s.weight:+5.1f}  {s.kind:<9} {s.detail}" for s in f.signals if s not in self.signals]
        out += [f"problem: {p}" for p in self.problems]
        return out


def explain(repo: Path, sha: str, options: MineOptions | None = None) -> Explanation:
    """Classify one commit with every detail kept.

    Raises:
        NotAGitRepository: ``repo`` is not a repository.
        MineError: ``sha`` is not a commit of it.
    """
    options = options or MineOptions()
    info = open_repo(repo)
    resolved = git_output(info.root, ["rev-parse", "-q", "--verify", f"{sha}^{{commit}}"])
    if not resolved:
        raise MineError(f"{info.root}: {sha!r} is not a commit of this repository")
    full = resolved.strip()
    commit = next(iter(read_commits(info.root, [full])))
    reverts = revert_targets(info.root)
    undone = effectively_reverted(reverts)
    excluded = ""
    if len(commit.parents) > 1:
        excluded = "merge commit (its changes are mined from the commits it merges)"
    elif full in undone:
        by = [r[:12] for r, targets in reverts.items() if full in targets]
        excluded = f"reverted later by {', '.join(by)}"
    elif full in reverts:
        excluded = "a revert of " + ", ".join(t[:12] for t in reverts[full])
    elif full in grafted(info.root):
        excluded = "grafted boundary of a shallow clone (its parent is missing)"
    elif not commit.parents:
        excluded = "root commit (nothing before it to compare with)"
    with BlobReader(info.root, options.max_file_bytes) as blobs:
        analysis = CommitAnalyzer(info.name, blobs, options, full=True).analyze(commit)
    return Explanation(
        repo=info.name, sha=full, subject=commit.subject, excluded=excluded,
        signals=tuple(analysis.signals), functions=tuple(analysis.verdicts),
        score=analysis.outcome.score, threshold=options.min_score, problems=tuple(analysis.problems),
    )
