import re

WORD = re.compile(r"\w+")


def count_words(lines: list[str]) -> int:
    find = WORD.findall
    return sum(len(find(line)) for line in lines)
