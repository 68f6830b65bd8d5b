def squares(values: list[int]) -> list[int]:
    out = []
    for v in values:
        out.append(v * v)
    return out
