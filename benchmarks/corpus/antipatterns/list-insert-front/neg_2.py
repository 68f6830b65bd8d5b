def with_header(rows: list[str], header: str) -> list[str]:
    rows.insert(0, header)
    return rows
