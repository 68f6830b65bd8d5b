"""The result document's ``precedents`` come from the index (top-k per target)."""

from __future__ import annotations

from pathlib import Path

from eco.code.records import Target
from eco.pipeline import with_precedents
from eco.profile.records import HotFunction
from eco.publish.document import result_entry
from eco.results import FunctionResult

CODE = "def f(xs):\n    out = []\n    for x in xs:\n        out.append(x * 2)\n    return out\n"


def test_targets_get_precedents_from_the_shipped_index(tmp_path: Path) -> None:
    hot = HotFunction(file="m.py", qualname="f", line=1, self_s=1.0, total_s=1.0, share=0.5, calls=1)
    target = Target(hot=hot, file="m.py", qualname="f", span=(0, len(CODE)), lines=(1, 5), source=CODE,
                    file_source=CODE, antipatterns=("append-loop-to-comprehension",))
    results = [FunctionResult(hot=hot, status="no-candidate", target=target),
               FunctionResult(hot=hot, status="error", reason="not found")]
    filled = with_precedents(results, tmp_path)
    entry = result_entry(filled[0])
    assert len(entry["precedents"]) == 3
    top = entry["precedents"][0]
    assert (top["repo"], top["sha"], top["category"]) == ("eco/antipatterns", "append-loop-to-comprehension", "loop")
    assert set(top) == {"repo", "sha", "score", "category"}
    assert result_entry(filled[1])["precedents"] == []
