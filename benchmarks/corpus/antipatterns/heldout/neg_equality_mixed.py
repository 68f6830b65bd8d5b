def match(kind: str, size: int) -> bool:
    return kind == "box" or size == 3
