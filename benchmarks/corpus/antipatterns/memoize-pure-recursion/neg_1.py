def depth(tree: dict[str, list[dict]]) -> int:
    children = tree.get("children", [])
    return 1 + max((depth(child) for child in children), default=0)
