def ranking(scores: dict[str, int]) -> list[str]:
    return sorted(scores, key=scores.get)
