import heapq


def smallest(values: list[int], k: int) -> list[int]:
    return heapq.nsmallest(k, values)
