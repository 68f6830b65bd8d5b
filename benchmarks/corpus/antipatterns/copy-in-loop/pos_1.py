def overlaps(groups: list[list[str]], banned: set[str]) -> int:
    hits = 0
    for group in groups:
        for word in group:
            if word in list(banned):
                hits += 1
    return hits
