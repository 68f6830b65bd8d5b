from collections import deque


def drain(tasks: list[int]) -> int:
    pending = deque(tasks)
    done = 0
    while pending:
        done += pending.popleft()
    return done
