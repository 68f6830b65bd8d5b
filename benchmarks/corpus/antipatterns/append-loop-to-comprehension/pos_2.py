def long_words(text: str, limit: int) -> list[str]:
    found = []
    for word in text.split():
        if len(word) > limit:
            found.append(word.lower())
    return found
