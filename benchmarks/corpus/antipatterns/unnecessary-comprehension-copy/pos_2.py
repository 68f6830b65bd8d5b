def unique(words: list[str]) -> set[str]:
    return {w for w in words}
