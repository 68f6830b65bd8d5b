def render(rows: list[str]) -> str:
    out = ""
    for row in rows:
        out += row + "\n"
    return out
