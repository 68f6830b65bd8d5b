def either(value: str, first: str, second: str) -> bool:
    return value in (first, second)
