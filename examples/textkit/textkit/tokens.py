"""Turning raw text into normalized words."""

import re


def tokenize(text: str) -> list[str]:
    """Lower-cased words of ``text``, with punctuation stripped from their edges."""
    words = []
    for raw in text.split():
        word = re.sub(r"^[^\w]+|[^\w]+$", "", raw.lower())
        if word:
            words.append(word)
    return words


def content_words(text: str) -> list[str]:
    """Words of ``text`` that carry meaning: stop words removed."""
    kept = []
    for word in text.lower().split():
        if word not in ["a", "an", "and", "are", "as", "at", "be", "by", "for", "from",
                        "has", "in", "is", "it", "its", "of", "on", "that", "the", "to",
                        "was", "were", "will", "with"]:
            kept.append(word)
    return kept


def normalize(text: str) -> str:
    """Collapse runs of whitespace to one space."""
    return " ".join(text.split())
