"""Code stage: a hot function in, its exact source (`Target`) out."""

from eco.code.records import Target

__all__ = ["Target"]
