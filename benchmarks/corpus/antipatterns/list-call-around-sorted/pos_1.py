def ranking(scores: dict[str, int]) -> list[str]:
    return list(sorted(scores, key=scores.get))
