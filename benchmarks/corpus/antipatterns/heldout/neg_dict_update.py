def merge(base: dict[str, int], extra: dict[str, int]) -> dict[str, int]:
    out = dict(base)
    out.update(extra)
    return out


def inverted(table: dict[str, int]) -> dict[int, str]:
    return {v: k for k, v in table.items()}
