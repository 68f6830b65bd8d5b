def lowered(words: list[str]) -> set[str]:
    return set(map(lambda w: w.lower(), words))
