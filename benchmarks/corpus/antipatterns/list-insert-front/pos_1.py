def undo_order(actions: list[str]) -> str:
    stack = []
    for action in actions:
        stack.insert(0, action)
    last = ""
    while stack:
        last = stack.pop()
    return last
