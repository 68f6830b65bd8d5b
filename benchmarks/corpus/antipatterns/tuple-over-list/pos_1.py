def weekday_name(day: int) -> str:
    names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    return names[day % 7]
