def banner(lines: list[str]) -> str:
    result = "== "
    for line in lines:
        result += line.upper() + " | "
    return result


def shouting(lines: list[str]) -> bool:
    return all([line.isupper() for line in lines])
