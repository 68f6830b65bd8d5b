def with_defaults(extra: list[str]) -> list[str]:
    names = ["a", "b"]
    names.extend(extra)
    return names
