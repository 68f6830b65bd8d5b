def unwind(tasks: list[int]) -> int:
    stack = list(tasks)
    done = 0
    while stack:
        done += stack.pop()
    return done
