def parse(lines: list[str]) -> int:
    total = 0
    try:
        for line in lines:
            total += len(line)
    except KeyError:
        total = -1
    return total
