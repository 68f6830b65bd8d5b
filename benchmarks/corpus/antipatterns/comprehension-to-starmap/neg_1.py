def powers(pairs: list[tuple[int, int]]) -> list[int]:
    return [pow(base, exp) + 1 for base, exp in pairs]
