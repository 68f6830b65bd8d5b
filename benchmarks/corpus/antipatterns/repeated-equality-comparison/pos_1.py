def is_keyword(word: str) -> bool:
    return word == "if" or word == "else" or word == "while" or word == "for"
