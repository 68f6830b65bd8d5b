def name_length(ages: dict[str, int]) -> int:
    total = 0
    for name, _ in ages.items():
        total += len(name)
    return total
