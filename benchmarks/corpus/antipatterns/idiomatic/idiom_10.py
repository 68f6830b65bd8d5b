def window_sums(values: list[int], size: int) -> list[int]:
    total = sum(values[:size])
    out = [total]
    for i in range(size, len(values)):
        total += values[i] - values[i - size]
        out.append(total)
    return out
