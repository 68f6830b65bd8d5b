"""eco: finds the code that costs the most, drafts a faster version, proves it, hands it to a human."""

__version__ = "0.1.0"
__all__ = ["__version__"]
