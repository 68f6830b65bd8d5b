def paths(base: list[str], leaves: list[str]) -> list[list[str]]:
    result = []
    for leaf in leaves:
        path = base[:]
        path.append(leaf)
        result.append(path)
    return result
