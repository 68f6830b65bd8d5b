STOP = frozenset({"a", "an", "the"})


def content(words: list[str]) -> list[str]:
    return [w for w in words if w not in STOP]
