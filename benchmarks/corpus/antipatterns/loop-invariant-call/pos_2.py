def normalised(weights: list[float]) -> list[float]:
    out = [0.0] * len(weights)
    for i, w in enumerate(weights):
        out[i] = w / sum(weights)
    return out
