def parities(flags: list[int]) -> list[int]:
    return [bin(flag).count("1") % 2 for flag in flags]
