def small(values: list[int]) -> int:
    count = 0
    for v in values:
        if v in (1, 2, 3):
            count += 1
    return count
