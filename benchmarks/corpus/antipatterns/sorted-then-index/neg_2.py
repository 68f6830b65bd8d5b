def top_three(prices: list[float]) -> list[float]:
    return sorted(prices)[:3]
