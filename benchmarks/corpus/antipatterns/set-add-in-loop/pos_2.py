def union(first: list[int], more: list[int]) -> set[int]:
    found = set(first)
    for item in more:
        found.add(item)
    return found
