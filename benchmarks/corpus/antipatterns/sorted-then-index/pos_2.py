def top_scorer(scores: dict[str, int]) -> str:
    return sorted(scores, key=scores.get)[-1]
