def walk(edges: dict[int, list[int]], root: int, blocked: list[int]) -> list[int]:
    visited = [root]
    frontier = [root]
    while frontier:
        node = frontier.pop(0)
        for nxt in edges.get(node, []):
            if nxt in blocked:
                continue
            if nxt not in visited:
                visited.append(nxt)
                frontier.append(nxt)
    return visited
