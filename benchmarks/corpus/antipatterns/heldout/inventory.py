def restock(levels: dict[str, int], orders: list[str]) -> list[str]:
    low = []
    for sku in orders:
        if levels.get(sku, 0) < 5:
            low.append(sku)
    return low


def tally(orders: list[str]) -> dict[str, int]:
    seen = {}
    for sku in orders:
        if sku not in seen:
            seen[sku] = 0
        seen[sku] += 1
    return seen
