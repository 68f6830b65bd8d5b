def weighted(weights: dict[str, float]) -> float:
    total = 0.0
    for name, weight in weights.items():
        total += len(name) * weight
    return total
