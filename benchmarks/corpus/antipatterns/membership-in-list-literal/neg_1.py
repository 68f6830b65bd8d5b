def content_words(text: str) -> list[str]:
    return [w for w in text.split() if w not in {"a", "an", "the", "of"}]
