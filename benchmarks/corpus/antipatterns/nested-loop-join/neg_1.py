def pair_up(orders: list[tuple[int, str]], users: list[tuple[int, str]]) -> list[str]:
    names = dict(users)
    return [names[user] + ":" + item for user, item in orders if user in names]
