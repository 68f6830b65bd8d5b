import re

SPACES = re.compile(r"\s+")


def squeeze(lines: list[str]) -> list[str]:
    return [SPACES.sub(" ", line) for line in lines]
