def cheapest(prices: list[float]) -> float:
    return min(prices)
