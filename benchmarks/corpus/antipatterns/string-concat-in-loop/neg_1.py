def render(rows: list[str]) -> str:
    return "".join(row + "\n" for row in rows)
