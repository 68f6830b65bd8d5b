def snapshot(items: tuple[int, ...]) -> list[int]:
    return [item for item in items]
