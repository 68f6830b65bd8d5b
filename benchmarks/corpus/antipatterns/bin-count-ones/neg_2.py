def as_bits(mask: int) -> str:
    return bin(mask)[2:].zfill(8)
