from bisect import bisect_left


def known(values: list[int], queries: list[int]) -> list[bool]:
    ordered = sorted(values)
    out = []
    for q in queries:
        i = bisect_left(ordered, q)
        out.append(i < len(ordered) and ordered[i] == q)
    return out
