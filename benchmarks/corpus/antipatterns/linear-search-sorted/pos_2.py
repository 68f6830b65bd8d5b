def positions(values: list[int], queries: list[int]) -> list[int]:
    values.sort()
    out = [0] * len(queries)
    for i, q in enumerate(queries):
        out[i] = values.index(q)
    return out
