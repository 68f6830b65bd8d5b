def prune(table: dict[str, int]) -> None:
    for key in list(table):
        if table[key] == 0:
            del table[key]
