def all_words(lines: list[str]) -> list[str]:
    return sum((line.split() for line in lines), [])
