def bump(values: list[int]) -> None:
    for i, v in enumerate(values):
        values[i] = v + 1
