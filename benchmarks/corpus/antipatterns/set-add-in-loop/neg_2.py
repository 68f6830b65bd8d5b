def duplicates(names: list[str]) -> list[str]:
    seen: set[str] = set()
    dups = []
    for name in names:
        if name in seen:
            dups.append(name)
        seen.add(name)
    return dups
