def snapshot(rows: list[int]) -> list[int]:
    out = []
    for row in rows:
        out.append(row)
    return out
