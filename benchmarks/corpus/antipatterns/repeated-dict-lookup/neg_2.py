def bump(counts: dict[str, int], words: list[str]) -> None:
    for word in words:
        counts[word] = counts[word] + 1
