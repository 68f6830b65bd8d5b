import os


def paths(root: str, names: list[str]) -> list[str]:
    return [os.path.join(root, name) for name in names]
