def pairs(left: list[int], right: list[int]) -> list[int]:
    return [a * b for a, b in zip(left, right)]
