def has_value(table: dict[str, int], value: int) -> bool:
    return value in table.values()
