def lookup(cache: dict[str, str], key: str) -> str:
    if key in cache:
        return cache[key]
    return key.upper()
