def in_range(indices: list[int], table: list[str]) -> int:
    count = 0
    for index in indices:
        if index < len(table):
            count += 1
    return count
