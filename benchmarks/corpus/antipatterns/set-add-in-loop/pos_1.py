def initials(names: list[str]) -> set[str]:
    seen = set()
    for name in names:
        if name:
            seen.add(name[0])
    return seen
