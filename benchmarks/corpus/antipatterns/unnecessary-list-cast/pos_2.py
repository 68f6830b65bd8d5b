def key_length(table: dict[str, int]) -> int:
    n = 0
    for key in list(table):
        n += len(key)
    return n
