def best(scores: dict[str, int], names: list[str]) -> int:
    top = 0
    for name in names:
        if scores[name] > top:
            top = scores[name]
    return top
