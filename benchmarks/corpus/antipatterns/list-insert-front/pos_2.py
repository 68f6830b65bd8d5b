def most_recent_first(events: list[str]) -> list[str]:
    history = []
    for event in events:
        history.insert(0, event)
    return history
