import re


def squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text)
