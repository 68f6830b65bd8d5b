def total_weight(weights: dict[str, float]) -> float:
    return sum(weight for _, weight in weights.items())
