def flatten(rows: list[list[int]]) -> list[int]:
    return [v for row in rows for v in row]
