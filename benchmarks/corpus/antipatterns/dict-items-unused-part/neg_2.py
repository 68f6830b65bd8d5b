def total_weight(weights: dict[str, float]) -> float:
    return sum(weights.values())
