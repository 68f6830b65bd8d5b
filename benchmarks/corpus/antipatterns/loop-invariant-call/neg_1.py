def above_best(scores: list[int], others: list[int]) -> list[int]:
    best = max(others)
    return [s for s in scores if s > best]
