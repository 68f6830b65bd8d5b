def lengths(items: list[str]) -> int:
    total = 0
    for item in items:
        total += len(item)
    return total
