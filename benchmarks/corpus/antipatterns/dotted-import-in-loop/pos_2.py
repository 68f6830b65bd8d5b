import os


def extensions(names: list[str]) -> set[str]:
    found = set()
    for name in names:
        found.add(os.path.splitext(name)[1])
    return found
