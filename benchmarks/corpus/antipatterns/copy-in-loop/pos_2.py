def sizes(batches: list[str], base: list[int]) -> list[int]:
    out = [0] * len(batches)
    for i, name in enumerate(batches):
        snapshot = base[:]
        out[i] = len(snapshot) + len(name)
    return out
