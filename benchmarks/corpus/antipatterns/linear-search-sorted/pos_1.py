def known(values: list[int], queries: list[int]) -> list[bool]:
    ordered = sorted(values)
    return [q in ordered for q in queries]
