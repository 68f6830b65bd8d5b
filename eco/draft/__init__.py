"""Draft stage: a `Target` in, candidate rewrites (`Candidate`) out.

`detect` finds every catalog anti-pattern in a module and says which occurrences eco can
rewrite; `draft_recipes` applies the catalog's libcst recipes to one target function, only
where their preconditions are provable from the code.
"""

from eco.draft.detectors import DETECTORS, Finding, detect
from eco.draft.recipes import RECIPES, draft_recipes
from eco.draft.records import Candidate

__all__ = ["DETECTORS", "RECIPES", "Candidate", "Finding", "detect", "draft_recipes"]
