def same(a: int, b: int, c: int) -> bool:
    return a == 1 or b == 2 or c == 3
