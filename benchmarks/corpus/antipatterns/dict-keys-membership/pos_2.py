def unseen(keys: list[str], seen: dict[str, int]) -> list[str]:
    return [k for k in keys if k not in seen.keys()]
