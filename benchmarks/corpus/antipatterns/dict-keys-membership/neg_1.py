def known(table: dict[str, int], key: str) -> bool:
    return key in table
