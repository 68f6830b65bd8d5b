def shared(left: list[str], right: list[str]) -> list[str]:
    right_set = set(right)
    return [word for word in left if word in right_set]
