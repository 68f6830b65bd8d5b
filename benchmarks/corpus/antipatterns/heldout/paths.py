import os.path
import os


def existing(candidates: list[str]) -> list[str]:
    return [c for c in candidates if os.path.exists(c)]
