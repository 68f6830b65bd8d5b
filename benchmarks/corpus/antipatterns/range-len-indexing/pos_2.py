def largest(values: tuple[int, ...]) -> int:
    best = 0
    for i in range(len(values)):
        if values[i] > best:
            best = values[i]
    return best
