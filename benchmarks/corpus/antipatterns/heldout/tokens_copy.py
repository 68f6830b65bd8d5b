def upper_copy(names: list[str]) -> list[str]:
    copy = [n for n in names]
    return copy
