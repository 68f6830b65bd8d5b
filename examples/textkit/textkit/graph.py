"""Word-association graphs: which words follow which."""


def build_graph(words: list[str]) -> dict[str, list[str]]:
    """Map each word to the distinct words that follow it, in order of appearance."""
    graph: dict[str, list[str]] = {}
    for first, second in zip(words, words[1:]):
        followers = graph.setdefault(first, [])
        if second not in followers:
            followers.append(second)
    return graph


def reachable(graph: dict[str, list[str]], start: str) -> list[str]:
    """Every word reachable from ``start``, in breadth-first order."""
    seen = {start}
    order = []
    queue = [start]
    while queue:
        word = queue.pop(0)
        order.append(word)
        for nxt in graph.get(word, ()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return order


def compositions(total: int, largest: int) -> int:
    """Number of ways to write ``total`` as an ordered sum of parts no larger than ``largest``."""
    if total == 0:
        return 1
    ways = 0
    for part in range(1, min(total, largest) + 1):
        ways += compositions(total - part, largest)
    return ways
