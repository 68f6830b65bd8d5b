def joined(parts: list[str]) -> str:
    return "".join([p.strip() for p in parts])
