def scaled(weights: dict[str, float], keys: list[str]) -> list[float]:
    return [weights[k] * 2 + weights[k] for k in keys]


def doubled(values: list[int]) -> int:
    total = 0
    for i, v in enumerate(values):
        total += values[i] + v
    return total
