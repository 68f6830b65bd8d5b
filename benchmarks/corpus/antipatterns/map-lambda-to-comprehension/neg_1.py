def as_text(values: list[int]) -> list[str]:
    return list(map(str, values))
