def weighted(values: list[int]) -> int:
    total = 0
    for i, v in enumerate(values):
        total += values[i] * i + v
    return total
