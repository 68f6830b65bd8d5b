def vocabulary_size(counts: dict[str, int]) -> int:
    return len(list(counts))
