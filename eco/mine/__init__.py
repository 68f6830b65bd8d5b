"""Mine stage: performance-fixing edits out of git history, into the edits database.

`mine` walks one or more repositories (streamed ``git log --raw`` and ``git cat-file``),
extracts the functions each commit changed (tree-sitter), drops trivial edits, scores
each edit with a classifier that keeps its evidence (`explain` shows it), and stores
the edits that pass in SQLite, incrementally and batch by batch. `iter_edits` streams
the same records without a database.
"""

from eco.mine.engine import Batch, BatchResult, Runner, iter_edits, mine, mine_batch
from eco.mine.errors import MineError
from eco.mine.explanation import Explanation, explain
from eco.mine.records import (
    CommitOutcome,
    FunctionVerdict,
    MinedEdit,
    MineOptions,
    MineReport,
    Problem,
    Signal,
)
from eco.mine.store import SCHEMA_VERSION, EditsDB

__all__ = [
    "SCHEMA_VERSION",
    "Batch",
    "BatchResult",
    "CommitOutcome",
    "EditsDB",
    "Explanation",
    "FunctionVerdict",
    "MineError",
    "MineOptions",
    "MineReport",
    "MinedEdit",
    "Problem",
    "Runner",
    "Signal",
    "explain",
    "iter_edits",
    "mine",
    "mine_batch",
]
