def compositions(total: int, largest: int) -> int:
    if total == 0:
        return 1
    ways = 0
    for part in range(1, min(total, largest) + 1):
        ways += compositions(total - part, largest)
    return ways
