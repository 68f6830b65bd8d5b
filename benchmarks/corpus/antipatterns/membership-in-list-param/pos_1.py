def shared(left: list[str], right: list[str]) -> list[str]:
    return [word for word in left if word in right]
