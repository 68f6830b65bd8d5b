import re


def numbered(words: list[str]) -> int:
    count = 0
    for word in words:
        if re.match(r"^\d+$", word):
            count += 1
    return count
