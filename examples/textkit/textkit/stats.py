"""Counting and comparing words."""


def frequencies(words: list[str]) -> dict[str, int]:
    """How many times each word occurs, in order of first appearance."""
    counts = {}
    for word in words:
        if word in counts:
            counts[word] += 1
        else:
            counts[word] = 1
    return counts


def shared_vocabulary(left: list[str], right: list[str]) -> list[str]:
    """Words of ``left`` (with repeats, in order) that also occur in ``right``."""
    return [word for word in left if word in right]


def has_long_word(words: list[str], limit: int) -> bool:
    """True when any word is longer than ``limit`` characters."""
    return any([len(word) > limit for word in words])


def top_words(counts: dict[str, int], n: int) -> list[tuple[str, int]]:
    """The ``n`` most frequent words, most frequent first (ties by word)."""
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:n]
