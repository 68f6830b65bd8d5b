def widest(spans: list[tuple[int, int]]) -> int:
    return sum(max(low, high) for low, high in spans)
