def totals(sales: list[tuple[str, int]]) -> dict[str, int]:
    by_name: dict[str, int] = {}
    for name, amount in sales:
        by_name[name] = by_name.get(name, 0) + amount
    return by_name
