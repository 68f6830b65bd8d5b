def cheapest(prices: list[float]) -> float:
    return sorted(prices)[0]
