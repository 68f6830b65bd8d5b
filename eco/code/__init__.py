"""Code stage: a hot function in, its exact source (`Target`) out."""

from eco.code.locate import locate, read_source, with_findings
from eco.code.records import Target

__all__ = ["Target", "locate", "read_source", "with_findings"]
