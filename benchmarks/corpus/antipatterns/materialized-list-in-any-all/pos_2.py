def all_positive(values: list[int]) -> bool:
    return all([v > 0 for v in values])
