def debtors(balances: dict[str, float]) -> list[str]:
    return [who for who, _ in balances.items() if who]


def worst(balances: dict[str, float]) -> float:
    return sorted(balances.values())[0]
