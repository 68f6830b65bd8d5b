def drain(tasks: list[int]) -> int:
    pending = list(tasks)
    done = 0
    while pending:
        done += pending.pop(0)
    return done
