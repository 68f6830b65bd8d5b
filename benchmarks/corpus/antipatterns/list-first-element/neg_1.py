def first_key(counts: dict[str, int]) -> str:
    return next(iter(counts))
