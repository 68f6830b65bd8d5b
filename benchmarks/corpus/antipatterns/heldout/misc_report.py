def first(scores: dict[str, int]) -> str:
    return list(scores.keys())[0]


def month(index: int) -> str:
    months = ["jan", "feb", "mar", "apr"]
    return months[index % 4]


def products(pairs: list[tuple[int, int]]) -> list[int]:
    return [max(a, b) for a, b in pairs]
