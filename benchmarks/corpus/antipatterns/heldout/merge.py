def combined(first: list[str], second: list[str]) -> list[str]:
    out = list(first)
    for item in second:
        out.append(item)
    return out


def vocabulary(words: list[str]) -> set[str]:
    vocab = set()
    for word in words:
        vocab.add(word.lower())
    return vocab
