def pair_up(orders: list[tuple[int, str]], users: list[tuple[int, str]]) -> list[str]:
    out = []
    for order_user, item in orders:
        for user_id, name in users:
            if order_user == user_id:
                out.append(name + ":" + item)
    return out
