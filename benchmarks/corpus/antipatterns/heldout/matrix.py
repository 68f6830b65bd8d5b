def trace(rows: list[list[float]]) -> float:
    total = 0.0
    for i in range(len(rows)):
        total += sum(rows[i])
    return total


def scan(values: tuple[float, ...]) -> int:
    k = 0
    while k < len(values) and values[k] >= 0:
        k += 1
    return k
