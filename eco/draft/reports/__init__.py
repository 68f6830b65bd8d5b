"""Report-only detectors: anti-patterns eco finds but never rewrites.

Each has the analyzer signature ``(Scope) -> list[Site]`` and returns sites that are never
fixable, each message ending in ``not fixed: <why>``. Some look for what no safe rewrite can
preserve in general (a sorted list searched linearly, exceptions as control flow); others
(loop-invariant work, repeated lookups) are left to a human because moving code changes when
it runs.
"""

from __future__ import annotations

from eco.draft.recipes._edit import Analyzer
from eco.draft.reports.calls import CALL_REPORTS
from eco.draft.reports.lookups import LOOKUP_REPORTS
from eco.draft.reports.loops import LOOP_REPORTS

__all__ = ["REPORTS"]

#: Every report-only detector by the name the catalog uses.
REPORTS: dict[str, Analyzer] = {**LOOP_REPORTS, **LOOKUP_REPORTS, **CALL_REPORTS}
