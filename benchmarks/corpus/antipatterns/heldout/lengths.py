def count_keys(mapping: dict[str, int]) -> int:
    return len(list(mapping))


def longest(words: tuple[str, ...]) -> int:
    best = 0
    for w in list(words):
        best = max(best, len(w))
    return best
