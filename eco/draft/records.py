"""What the draft stage hands on: a candidate rewrite of one target."""

from __future__ import annotations

from dataclasses import dataclass

from eco.code.records import Target


@dataclass(frozen=True)
class Candidate:
    """A proposed faster version of a target function, as a whole new file text and a patch."""

    target: Target
    #: The rewritten function's source (the new span text).
    new_source: str
    #: The target file's full new text (a recipe may add an import at module level).
    new_file_source: str
    #: Unified diff, repository-relative (``a/<file>``, ``b/<file>``), that ``git apply`` accepts.
    patch: str
    #: Which drafter wrote it: ``recipes``, ``openai``, ``anthropic``, ``llama``.
    drafter: str
    #: Catalog id of the anti-pattern fixed, when a recipe wrote it.
    antipattern: str | None
    #: One or two sentences for the reviewer: what changed and why it is faster.
    rationale: str
