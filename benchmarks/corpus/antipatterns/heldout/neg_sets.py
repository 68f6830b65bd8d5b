VOWELS = frozenset("aeiou")


def vowels(word: str) -> int:
    return sum(1 for ch in word if ch in VOWELS)


def overlap(a: list[int], b: list[int]) -> set[int]:
    return set(a) & set(b)
