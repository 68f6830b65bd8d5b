def total(items: list[object]) -> float:
    result = 0.0
    for item in items:
        result += item.price.amount
    return result
