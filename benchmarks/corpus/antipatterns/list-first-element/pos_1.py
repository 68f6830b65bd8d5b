def first_key(counts: dict[str, int]) -> str:
    return list(counts)[0]
