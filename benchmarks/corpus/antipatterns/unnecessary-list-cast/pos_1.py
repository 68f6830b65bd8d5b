def total(values: tuple[int, ...]) -> int:
    s = 0
    for v in list(values):
        s += v
    return s
