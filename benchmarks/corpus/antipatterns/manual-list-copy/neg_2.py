def interleave(rows: list[int]) -> list[int]:
    out = []
    for row in rows:
        out.append(row)
        out.append(-row)
    return out
