def squares(limit: int) -> list[int]:
    result = []
    n = 0
    while n < limit:
        result = result + [n * n]
        n += 1
    return result


def flat(groups: list[list[str]]) -> list[str]:
    return sum(groups, [])
