def count_banned(values: list[int], banned: list[int]) -> int:
    count = 0
    for v in values:
        if v in banned:
            count += 1
    return count
