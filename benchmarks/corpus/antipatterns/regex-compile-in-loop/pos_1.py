import re


def squeeze(lines: list[str]) -> list[str]:
    return [re.sub(r"\s+", " ", line) for line in lines]
