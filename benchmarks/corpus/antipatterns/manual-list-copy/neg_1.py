def merged(rows: list[int], extra: list[int]) -> list[int]:
    result = list(rows)
    result.extend(extra)
    return result
