def flatten(tree: list[object]) -> list[object]:
    out: list[object] = []
    for node in tree:
        if isinstance(node, list):
            out.extend(flatten(node))
        else:
            out.append(node)
    return out
