from collections import Counter


def frequencies(words: list[str]) -> Counter[str]:
    return Counter(words)
