def name_length(table: dict[str, int]) -> int:
    total = 0
    for name in table.keys():
        total += len(name)
    return total
