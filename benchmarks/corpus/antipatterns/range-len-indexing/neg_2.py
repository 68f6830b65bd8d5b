def weighted(values: list[int]) -> int:
    return sum(i * v for i, v in enumerate(values))
