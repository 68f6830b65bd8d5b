SCALE = 3


def scaled(values: list[int]) -> list[int]:
    return [v * SCALE for v in values]
