def backwards(words: list[str]) -> list[str]:
    return list(reversed(words))
