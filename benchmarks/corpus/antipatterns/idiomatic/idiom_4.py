def numbered(lines: list[str]) -> list[str]:
    return [f"{i}: {line}" for i, line in enumerate(lines, 1)]
