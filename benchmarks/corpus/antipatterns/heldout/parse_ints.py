def lookup(codes: dict[str, int], wanted: list[str]) -> list[int]:
    found = []
    for name in wanted:
        try:
            found.append(codes[name])
        except KeyError:
            found.append(-1)
    return found
