def powers(pairs: list[tuple[int, int]]) -> list[int]:
    return [pow(base, exp) for base, exp in pairs]
