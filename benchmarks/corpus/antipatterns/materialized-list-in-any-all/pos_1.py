def has_number(words: list[str]) -> bool:
    return any([w.isdigit() for w in words])
