def pairs(items: list[int]) -> list[tuple[int, int]]:
    it = iter(items)
    out = []
    while True:
        try:
            first = next(it)
        except StopIteration:
            break
        out.append((first, first * 2))
    return out
