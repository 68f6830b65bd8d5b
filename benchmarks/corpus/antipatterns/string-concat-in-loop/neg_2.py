def total(values: list[int]) -> int:
    acc = 0
    for v in values:
        acc += v
    return acc
