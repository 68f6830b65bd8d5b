def flatten(rows: list[list[int]]) -> list[int]:
    return sum(rows, [])
