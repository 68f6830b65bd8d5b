def first_positive(values: list[int]) -> int:
    return [v for v in values if v > 0][0]
