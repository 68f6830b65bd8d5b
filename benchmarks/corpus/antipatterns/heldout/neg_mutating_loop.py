def drop_zeros(table: dict[str, int]) -> None:
    for key in list(table):
        if table[key] == 0:
            del table[key]


def bump(values: list[int]) -> None:
    for i in range(len(values)):
        values[i] += 1
