from collections import deque


def undo_order(actions: list[str]) -> str:
    stack: deque[str] = deque()
    for action in actions:
        stack.appendleft(action)
    last = ""
    while stack:
        last = stack.pop()
    return last
