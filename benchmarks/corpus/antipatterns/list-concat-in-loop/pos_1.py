def evens(limit: int) -> list[int]:
    found = []
    for n in range(limit):
        if n % 2 == 0:
            found = found + [n]
    return found
