def odd_ones(values: list[int]) -> list[int]:
    return [v for v in values if v != 0 and v != 2 and v != 4]
