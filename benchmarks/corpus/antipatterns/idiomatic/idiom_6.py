def group(pairs: list[tuple[str, int]]) -> dict[str, list[int]]:
    groups: dict[str, list[int]] = {}
    for key, value in pairs:
        groups.setdefault(key, []).append(value)
    return groups
