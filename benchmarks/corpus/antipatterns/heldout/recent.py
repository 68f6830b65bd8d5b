def recent(events: list[str], keep: int) -> int:
    window = []
    for event in events:
        window.insert(0, event)
        if len(window) > keep:
            window.pop()
    return len(window)


def names(users: dict[str, int]) -> list[str]:
    return list(sorted(users))
