def reversed_copy(items: list[int]) -> list[int]:
    out = list(items)
    out.reverse()
    return out
