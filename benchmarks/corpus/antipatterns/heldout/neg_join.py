def csv_line(cells: list[str]) -> str:
    return ",".join([c.strip() for c in cells])


def lines(rows: list[list[str]]) -> str:
    return "\n".join(",".join(row) for row in rows)
