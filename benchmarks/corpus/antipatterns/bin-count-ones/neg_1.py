def weight(mask: int) -> int:
    return mask.bit_count()
