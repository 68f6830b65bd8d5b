def ordered(words: list[str]) -> list[str]:
    return list(sorted(set(words)))
