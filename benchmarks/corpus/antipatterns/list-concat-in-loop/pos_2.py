def doubled(values: list[int]) -> list[int]:
    acc = []
    for v in values:
        acc += [v * 2]
        acc += [v * 3]
    return acc
