def merged(rows: list[int], extra: list[int]) -> list[int]:
    result = list(rows)
    for item in extra:
        result.append(item)
    return result
