import re


def identifiers(source: str) -> list[str]:
    names = [name for name in re.findall(r"[A-Za-z_]\w*", source)]
    return [n for n in names if n not in ("if", "else", "for", "while", "def")]


def clean(rows: list[str]) -> list[str]:
    out = [re.sub(r"#.*$", "", row) for row in rows]
    return out
