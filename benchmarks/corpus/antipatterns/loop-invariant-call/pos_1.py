def above_best(scores: list[int], others: list[int]) -> list[int]:
    return [s for s in scores if s > max(others)]
