def parse_all(items: list[str]) -> int:
    total = 0
    for item in items:
        try:
            total += int(item)
        except ValueError:
            pass
    return total
