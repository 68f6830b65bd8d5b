def any_set(flags: list[bool]) -> bool:
    return any(flags)
