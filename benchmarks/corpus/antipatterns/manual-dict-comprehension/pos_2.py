def lengths(words: list[str]) -> dict[str, int]:
    sizes = {}
    for word in words:
        if word:
            sizes[word] = len(word)
    return sizes
