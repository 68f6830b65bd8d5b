def truthy(items: list[int]) -> list[int]:
    return [item for item in items if item]
