def doubled_in_place(values: list[int]) -> None:
    for i in range(len(values)):
        values[i] = values[i] * 2
