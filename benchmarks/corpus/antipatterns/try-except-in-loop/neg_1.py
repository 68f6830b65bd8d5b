def parse_all(items: list[str]) -> int:
    total = 0
    try:
        for item in items:
            total += int(item)
    except ValueError:
        total = -1
    return total
