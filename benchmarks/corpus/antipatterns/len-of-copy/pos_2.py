def word_count(words: list[str]) -> int:
    return len(tuple(words))
