def non_empty(items: list[str]) -> int:
    return len(list(filter(None, items)))
