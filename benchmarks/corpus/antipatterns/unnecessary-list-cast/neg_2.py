def total(values: tuple[int, ...]) -> int:
    s = 0
    for v in values:
        s += v
    return s
