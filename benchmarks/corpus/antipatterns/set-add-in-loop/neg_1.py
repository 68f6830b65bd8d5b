def initials(names: list[str]) -> set[str]:
    return {name[0] for name in names if name}
