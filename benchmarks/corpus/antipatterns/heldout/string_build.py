def render(rows: list[str]) -> str:
    parts = []
    for row in rows:
        parts.append(f"<li>{row}</li>")
    return "".join(parts)
