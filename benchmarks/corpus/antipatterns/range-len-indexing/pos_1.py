def total_length(words: list[str]) -> int:
    total = 0
    for i in range(len(words)):
        total += len(words[i])
    return total
