def overlaps(words: list[str], banned: set[str]) -> int:
    allowed = set(banned)
    return sum(1 for word in words if word in allowed)
