LIMITS = {"max": 100}


def clamp_all(values: list[int]) -> int:
    total = 0
    for v in values:
        if v > LIMITS["max"]:
            total += 1
    return total
