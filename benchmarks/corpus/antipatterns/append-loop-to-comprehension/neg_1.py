def squares(values: list[int]) -> list[int]:
    return [v * v for v in values]
