def lookup_all(table: dict[str, int], keys: list[str]) -> int:
    total = 0
    for key in keys:
        try:
            total += table[key]
        except KeyError:
            total -= 1
    return total
