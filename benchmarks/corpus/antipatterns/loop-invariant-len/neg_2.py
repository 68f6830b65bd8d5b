def shrink(queue: list[int]) -> int:
    count = 0
    while len(queue) > 3:
        queue.pop()
        count += 1
    return count
