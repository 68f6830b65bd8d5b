def lookup_all(table: dict[str, int], keys: list[str]) -> int:
    total = 0
    for key in keys:
        total += table.get(key, -1)
    return total
