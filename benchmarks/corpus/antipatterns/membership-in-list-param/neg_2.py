def is_banned(value: int, banned: list[int]) -> bool:
    return value in banned
