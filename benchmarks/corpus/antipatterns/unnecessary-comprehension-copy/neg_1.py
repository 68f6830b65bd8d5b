def snapshot(items: tuple[int, ...]) -> list[int]:
    return list(items)
