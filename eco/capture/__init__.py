"""capture stage: record real calls of hot functions while the workload runs.

In: the workload command and the functions to watch (`CaptureTarget`, written into a spec
with `write_spec`; the workload runs under `capture_argv`). Out: a SQLite capture file,
read back with `CaptureStore` (pickled ``(args, kwargs)`` per call, and a
`CaptureSummary` per function saying how many calls were seen, stored and refused, and why).
"""

from eco.capture.spec import CaptureTarget, capture_argv, write_spec
from eco.capture.store import CaptureStore, CaptureSummary

__all__ = ["CaptureStore", "CaptureSummary", "CaptureTarget", "capture_argv", "write_spec"]
