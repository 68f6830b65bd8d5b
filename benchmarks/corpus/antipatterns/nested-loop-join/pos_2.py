def matches(left: list[dict[str, int]], right: list[dict[str, int]]) -> list[tuple[int, int]]:
    return [(a["id"], b["id"]) for a in left for b in right if a["key"] == b["key"]]
