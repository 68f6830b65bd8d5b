def is_keyword(word: str) -> bool:
    return word in {"if", "else", "while", "for"}
