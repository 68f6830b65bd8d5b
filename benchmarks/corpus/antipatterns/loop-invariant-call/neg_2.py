def clipped(values: list[int]) -> list[int]:
    return [max(v, 0) for v in values]
