from os.path import join


def paths(root: str, names: list[str]) -> list[str]:
    return [join(root, name) for name in names]
