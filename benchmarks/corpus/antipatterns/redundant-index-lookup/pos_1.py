def total(prices: dict[str, float]) -> float:
    result = 0.0
    for name, price in prices.items():
        result += prices[name] * len(name) + price
    return result
