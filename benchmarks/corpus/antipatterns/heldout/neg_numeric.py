import math


def norm(vector: list[float]) -> float:
    return math.sqrt(sum(x * x for x in vector))


def mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0
