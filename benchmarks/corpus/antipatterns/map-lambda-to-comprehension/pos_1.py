def doubled(values: list[int]) -> list[int]:
    return list(map(lambda v: v * 2, values))
