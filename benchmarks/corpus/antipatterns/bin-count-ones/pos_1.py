def weight(mask: int) -> int:
    return bin(mask).count("1")
