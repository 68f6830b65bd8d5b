def swapped(pairs: list[tuple[int, int]]) -> list[int]:
    return [pow(exp, base) for base, exp in pairs]
