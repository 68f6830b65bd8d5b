def head(values: list[int]) -> int:
    return values[0]
