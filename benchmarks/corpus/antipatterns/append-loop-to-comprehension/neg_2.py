def running_totals(values: list[int]) -> list[int]:
    out = []
    total = 0
    for v in values:
        total += v
        out.append(total)
    return out
