def popcounts(masks: list[int]) -> list[int]:
    return list(map(lambda m: bin(m).count("1"), masks))
