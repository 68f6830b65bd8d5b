def positions(words: list[str], target: str) -> list[int]:
    return [i for i, w in enumerate(words) if w == target]


def pairs(words: list[str]) -> list[tuple[str, str]]:
    return list(zip(words, words[1:]))
