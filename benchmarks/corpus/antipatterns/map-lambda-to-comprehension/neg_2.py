def doubled(values: list[int]) -> list[int]:
    return [v * 2 for v in values]
