def best(scores: dict[str, int], names: list[str]) -> int:
    top = 0
    for name in names:
        score = scores[name]
        if score > top:
            top = score
    return top
