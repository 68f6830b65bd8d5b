"""The anti-pattern catalog: ``antipatterns/*.toml`` in, validated `AntiPattern` records out.

Each data file describes one Python performance anti-pattern: why it is slow, a before and
after example, the detector that finds it and (optionally) the recipe that fixes it. The
names of detectors and recipes are checked against the draft stage's registries at load.
"""

from eco.catalog.load import CATEGORIES, TOOLS, default_directory, load_catalog
from eco.catalog.model import AntiPattern, Catalog, CatalogError, UnknownAntiPattern

__all__ = [
    "CATEGORIES",
    "TOOLS",
    "AntiPattern",
    "Catalog",
    "CatalogError",
    "UnknownAntiPattern",
    "default_directory",
    "load_catalog",
]
