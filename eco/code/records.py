"""What the code stage hands on: a hot function's exact source and what is known about it."""

from __future__ import annotations

from dataclasses import dataclass

from eco.profile.records import HotFunction


@dataclass(frozen=True)
class Target:
    """A hot function located in the repository, ready for drafting."""

    hot: HotFunction
    #: Path relative to the repository root.
    file: str
    qualname: str
    #: Byte span of the definition (decorators included) in the file.
    span: tuple[int, int]
    #: 1-based first and last line of the span.
    lines: tuple[int, int]
    #: The definition's source text (the span).
    source: str
    #: The whole file's text, as it is at the snapshot being optimized.
    file_source: str
    #: Catalog ids of anti-patterns detected in the function.
    antipatterns: tuple[str, ...] = ()
    #: Number of captured calls stored for this function.
    captured_calls: int = 0
